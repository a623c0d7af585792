// The file name a test file's heap profile is kept under, in one flat folder. Readable where it
// can be (test/a.test.ts → test__a.test.ts) and never the same for two files: a name that lost
// something on the way (an `_`, a character outside [A-Za-z0-9.-], a project) carries a short
// hash of what it came from, after a `~` no plain name contains.
import { createHash } from 'node:crypto'

/** Hex digits of the hash: 48 bits, no collision among any realistic number of test files. */
const HASH_DIGITS = 12

export function profileFileName(project: string, relativeFile: string): string {
  const parts = relativeFile.split(/[\\/]/).filter(part => part && part !== '..' && part !== '.')
  const readable = `${project ? `${flat(project)}__` : ''}${parts.map(flat).join('__')}`
  const plain = !project && parts.length > 0 && parts.every(part => /^[A-Za-z0-9.-]+$/.test(part)) && parts.join('/') === relativeFile
  if (plain) return `${readable}.heapprofile`
  const hash = createHash('sha256').update(`${project}\0${relativeFile}`).digest('hex').slice(0, HASH_DIGITS)
  return `${readable}~${hash}.heapprofile`
}

function flat(part: string): string {
  return part.replace(/[^\w.-]/g, '_')
}
