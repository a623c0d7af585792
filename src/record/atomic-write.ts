// Files written whole or not at all: a temp file in the same folder, then a rename, so a reader
// never sees half a file and a failed write leaves nothing behind.
import { renameSync, rmSync, writeFileSync } from 'node:fs'
import { messageOf } from '../errors.js'
import { makeDirFor } from '../state-dir.js'

export function writeJsonAtomic(path: string, data: unknown): void {
  writeFileAtomic(path, `${JSON.stringify(data, null, 2)}\n`)
}

/** When it fails, the temp file is removed and the error thrown. */
export function writeFileAtomic(path: string, text: string): void {
  makeDirFor(path)
  const temp = `${path}.${process.pid}.${Date.now()}.tmp`
  try {
    writeFileSync(temp, text)
    renameSync(temp, path)
  } catch (error) {
    rmSync(temp, { force: true })
    throw error
  }
}

/** Why a write failed, short: the code and what it means for the path (the path is said by the caller). */
export function writeFailure(error: unknown): string {
  const { code, syscall } = error as NodeJS.ErrnoException
  switch (code) {
    case 'ENOTDIR': return 'ENOTDIR: a file is in the way where the path needs a folder'
    case 'EEXIST': return syscall === 'mkdir' ? 'EEXIST: a file is in the way where the path needs a folder' : 'EEXIST: it already exists'
    case 'EISDIR': return 'EISDIR: the path is a folder; give a file name'
    case 'EACCES': case 'EPERM': return `${code}: permission denied`
    case 'EROFS': return 'EROFS: read-only file system'
    case 'ENOSPC': return 'ENOSPC: no space left on the device'
    // A message of ours (a held lock) carries the prefix the caller's line already has.
    default: return messageOf(error)
  }
}
