// What is at a path the tool is about to write, and so how it may write there. Nothing that is
// not our own regular file is ever renamed, set aside or replaced:
// - nothing there, or a regular file: written whole (temp + rename), rotated, set aside. A file
//   with other hard links is replaced by the rename, so the other names keep their old content.
// - a FIFO or a character device (/dev/null, /dev/full, a terminal): written into in place.
// - a symbolic link: refused, never followed (as root a link could point anywhere); so is a
//   block device, a socket, and a folder.
import { closeSync, constants, lstatSync, openSync, writeSync, type Stats } from 'node:fs'

export type PathKind = 'missing' | 'file' | 'in-place'

/** The path is something the tool must not write: `message` says what, in a few words. */
export class RefusedPath extends Error {
  constructor(
    readonly kind: string,
    readonly code: string,
  ) {
    super(`${code}: it is ${kind}; vitest-memory writes only regular files, FIFOs and character devices, and never through a link`)
  }
}

/** How `path` may be written; throws RefusedPath for a link, a block device, a socket or a folder. */
export function outputKind(path: string): PathKind {
  let stats: Stats
  try {
    stats = lstatSync(path)
  } catch {
    // ENOENT, or ENOTDIR and the like: the write itself says so in its own words
    return 'missing'
  }
  if (stats.isFile()) return 'file'
  if (stats.isFIFO() || stats.isCharacterDevice()) return 'in-place'
  if (stats.isSymbolicLink()) throw new RefusedPath('a symbolic link', 'ELINK')
  if (stats.isDirectory()) throw Object.assign(new Error(`EISDIR: ${path} is a folder`), { code: 'EISDIR' })
  if (stats.isBlockDevice()) throw new RefusedPath('a block device', 'EBLOCKDEV')
  throw new RefusedPath('a socket', 'ESOCKET')
}

/** Whether the path may be renamed aside (journal rotation, a corrupt history): only our regular files. */
export function mayMoveAside(path: string): boolean {
  try {
    return lstatSync(path).isFile()
  } catch {
    return false
  }
}

/** Whether a rename may land on the path: nothing is there, or a regular file. */
export function mayReplace(path: string): boolean {
  try {
    return lstatSync(path).isFile()
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'ENOENT'
  }
}

/**
 * A FIFO without a reader must not hang the run: it is opened without blocking (ENXIO when
 * nobody reads); a write the reader does not drain is retried for this long, then given up.
 */
const IN_PLACE_DRAIN_MS = 10_000
const RETRY_PAUSE_MS = 5

/** Opens a FIFO or character device for writing in place (no create, no truncate). */
export function openInPlace(path: string): number {
  return openSync(path, constants.O_WRONLY | constants.O_NONBLOCK | constants.O_APPEND)
}

/** Writes all of `text` to an fd opened by openInPlace. */
export function writeAllInPlace(fd: number, text: string): void {
  const bytes = Buffer.from(text)
  const deadline = Date.now() + IN_PLACE_DRAIN_MS
  const pause = new Int32Array(new SharedArrayBuffer(4))
  let done = 0
  while (done < bytes.length) {
    try {
      done += writeSync(fd, bytes, done)
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EAGAIN' || Date.now() > deadline) throw error
      Atomics.wait(pause, 0, 0, RETRY_PAUSE_MS)
    }
  }
}

export function writeInPlace(path: string, text: string): void {
  const fd = openInPlace(path)
  try {
    writeAllInPlace(fd, text)
  } finally {
    closeSync(fd)
  }
}
