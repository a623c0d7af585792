// This process's own VmHWM/VmRSS and high-water-mark reset, as the per-test tracker needs them
// twice per test: each file is opened once and kept open, so a reading is one pread and a byte
// scan instead of open, read, close and a text parse (the latter cost ~90 µs per test start on a
// warmed Node process, most of what per-test peaks added to a suite of small tests).
import { closeSync, openSync, readSync, writeSync } from 'node:fs'
import type { ProcessMemory } from './procfs.js'

/** /proc/self/status is ~1.5 KB on Linux 6.x; VmHWM and VmRSS sit in its first kilobyte. */
const STATUS_READ_BYTES = 4096
const CLEAR_REFS_RESET_PEAK = Buffer.from('5')

export class OwnProcfs {
  private readonly buffer = Buffer.allocUnsafe(STATUS_READ_BYTES)

  private constructor(
    private readonly statusFd: number,
    private readonly clearRefsFd: number | null,
  ) {}

  /** This process's readers, opened on first use; null where procfs cannot be read. */
  static get(): OwnProcfs | null {
    if (opened === undefined) opened = OwnProcfs.open()
    return opened
  }

  /** Null where /proc/self/status cannot be read (not Linux, or procfs hidden). */
  private static open(): OwnProcfs | null {
    let statusFd: number
    try {
      statusFd = openSync('/proc/self/status', 'r')
    } catch {
      return null
    }
    let clearRefsFd: number | null = null
    try {
      clearRefsFd = openSync('/proc/self/clear_refs', 'w')
    } catch {}
    const own = new OwnProcfs(statusFd, clearRefsFd)
    if (own.read()) return own
    own.close()
    return null
  }

  read(): ProcessMemory | null {
    let length: number
    try {
      length = readSync(this.statusFd, this.buffer, 0, STATUS_READ_BYTES, 0)
    } catch {
      return null
    }
    const hwmBytes = kbField(this.buffer, length, 'VmHWM:')
    const rssBytes = kbField(this.buffer, length, 'VmRSS:')
    return hwmBytes === null || rssBytes === null ? null : { hwmBytes, rssBytes }
  }

  /** The kernel's peak starts again from the current RSS; false where the kernel refuses. */
  resetPeak(): boolean {
    if (this.clearRefsFd === null) return false
    try {
      return writeSync(this.clearRefsFd, CLEAR_REFS_RESET_PEAK, 0, 1, 0) === 1
    } catch {
      return false
    }
  }

  close(): void {
    closeSync(this.statusFd)
    if (this.clearRefsFd !== null) closeSync(this.clearRefsFd)
  }
}

let opened: OwnProcfs | null | undefined

const SPACE = 0x20
const TAB = 0x09
const ZERO = 0x30
const NINE = 0x39

/** `Field:   1234 kB` in bytes, scanned in place. */
function kbField(buffer: Buffer, length: number, field: string): number | null {
  const at = buffer.indexOf(field, 0, 'latin1')
  if (at < 0 || at >= length) return null
  let i = at + field.length
  while (i < length && (buffer[i] === SPACE || buffer[i] === TAB)) i++
  let kb = 0
  const start = i
  for (; i < length && buffer[i]! >= ZERO && buffer[i]! <= NINE; i++) kb = kb * 10 + buffer[i]! - ZERO
  return i === start ? null : kb * 1024
}
