// Files written whole or not at all: a temp file in the same folder, then a rename, so a reader
// never sees half a file and a failed write leaves nothing behind. What is not a regular file is
// written in place or refused (output-path.ts): never replaced.
import { chmodSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs'
import { makeDirFor } from '../state-dir.js'
import { messageOf, UsageError } from '../errors.js'
import { displayPath } from './display-path.js'
import { outputKind, writeInPlace } from './output-path.js'

export function writeJsonAtomic(path: string, data: unknown): void {
  writeFileAtomic(path, `${JSON.stringify(data, null, 2)}\n`)
}

/** When it fails, the temp file is removed and the error thrown. */
export function writeFileAtomic(path: string, text: string): void {
  const kind = outputKind(path)
  if (kind === 'in-place') {
    writeInPlace(path, text)
    return
  }
  makeDirFor(path)
  const temp = `${path}.${process.pid}.${Date.now()}.tmp`
  try {
    // 'wx': a link planted at the temp name is not followed.
    writeFileSync(temp, text, { flag: 'wx' })
    // A file replaced keeps its permissions (a test file `tag --write` edits, say).
    if (kind === 'file') chmodSync(temp, statSync(path).mode & 0o7777)
    renameSync(temp, path)
  } catch (error) {
    rmSync(temp, { force: true })
    throw error
  }
}

/** For a subcommand's output: a failed write is one line and exit 2 (the path is the user's input). */
export function writeCommandOutput(what: string, path: string, text: string): void {
  try {
    writeFileAtomic(path, text)
  } catch (error) {
    throw new UsageError(`could not write ${what} ${displayPath(path)}: ${writeFailure(error)}`)
  }
}

/** Why a write failed, short: the code and what it means for the path (the path is said by the caller). */
export function writeFailure(error: unknown): string {
  const { code, syscall } = error as NodeJS.ErrnoException
  switch (code) {
    case 'ENOTDIR':
      return 'ENOTDIR: a file is in the way where the path needs a folder'
    case 'EEXIST':
      return syscall === 'mkdir' ? 'EEXIST: a file is in the way where the path needs a folder' : 'EEXIST: it already exists'
    case 'EISDIR':
      return 'EISDIR: the path is a folder; give a file name'
    case 'EACCES':
    case 'EPERM':
      return `${code}: permission denied`
    case 'EROFS':
      return 'EROFS: read-only file system'
    case 'ENOSPC':
      return 'ENOSPC: no space left on the device'
    case 'ENXIO':
      return 'ENXIO: it is a FIFO no process is reading'
    case 'EAGAIN':
      return 'EAGAIN: it is a FIFO whose reader stopped reading'
    // A message of ours (a held lock) carries the prefix the caller's line already has.
    default:
      return messageOf(error)
  }
}
