// The one size parser: "512MB", "1.5GB", "800MiB", "2GiB", "25%".
// Units follow Jest's workerIdleMemoryLimit: KB/MB/GB are decimal, KiB/MiB/GiB binary.
import { totalmem } from 'node:os'
import { shown } from './errors.js'

const UNITS: Record<string, number> = {
  b: 1,
  k: 1e3,
  kb: 1e3,
  m: 1e6,
  mb: 1e6,
  g: 1e9,
  gb: 1e9,
  t: 1e12,
  tb: 1e12,
  ki: 1024,
  kib: 1024,
  mi: 1024 ** 2,
  mib: 1024 ** 2,
  gi: 1024 ** 3,
  gib: 1024 ** 3,
  ti: 1024 ** 4,
  tib: 1024 ** 4,
}

const EXAMPLE = 'write it with a unit, e.g. "512MB", "1.5GB", "800MiB", "2GiB" or "25%"'
/** A size is a count of bytes: past 2^53 a double cannot count them exactly, and no machine has that much memory. */
const MAX_BYTES = Number.MAX_SAFE_INTEGER

export class SizeError extends Error {
  override name = 'SizeError'
}

/**
 * Parses a human size into bytes. `what` names the option in the error message.
 * Percentages are of `totalBytes` (the machine's memory unless given).
 */
export function parseSize(input: string | number, what = 'size', totalBytes = totalmem()): number {
  if (typeof input === 'number') {
    throw new SizeError(`Invalid ${what} ${input}: a bare number has no unit; ${EXAMPLE}.`)
  }
  if (typeof input !== 'string')
    throw new SizeError(`Invalid ${what} ${shown(input)}: write a size with a unit, e.g. "512MB", "1.5GB", "800MiB", "2GiB" or "25%".`)
  const match = /^\s*(-?\d+(?:\.\d+)?|\.\d+)\s*([a-z%]*)\s*$/i.exec(input)
  const quoted = shown(input)
  if (!match) throw new SizeError(`Invalid ${what} ${quoted}: ${EXAMPLE}.`)
  const value = Number(match[1])
  const unit = match[2].toLowerCase()
  if (unit === '') throw new SizeError(`Invalid ${what} ${quoted}: a bare number has no unit; ${EXAMPLE}.`)
  if (value <= 0) throw new SizeError(`Invalid ${what} ${quoted}: it must be greater than zero; ${EXAMPLE}.`)
  if (unit === '%') {
    if (value > 100) throw new SizeError(`Invalid ${what} ${quoted}: a percentage of total memory must be at most 100%.`)
    return Math.round((totalBytes * value) / 100)
  }
  const factor = UNITS[unit]
  if (!factor) throw new SizeError(`Invalid ${what} ${quoted}: unknown unit ${shown(match[2])}; ${EXAMPLE}.`)
  const bytes = Math.round(value * factor)
  if (bytes < 1) throw new SizeError(`Invalid ${what} ${quoted}: it rounds to zero bytes; ${EXAMPLE}.`)
  if (!(bytes <= MAX_BYTES)) throw new SizeError(`Invalid ${what} ${quoted}: more than any machine can address (2^53 bytes); ${EXAMPLE}.`)
  return bytes
}

/** Formats bytes in decimal units, the ones budgets are usually written in. */
export function formatBytes(bytes: number | null | undefined): string {
  if (bytes == null || !Number.isFinite(bytes)) return '—'
  const abs = Math.abs(bytes)
  if (abs >= 1e9) return `${(bytes / 1e9).toFixed(abs >= 1e10 ? 1 : 2)} GB`
  if (abs >= 1e6) return `${(bytes / 1e6).toFixed(abs >= 1e8 ? 0 : 1)} MB`
  if (abs >= 1e3) return `${(bytes / 1e3).toFixed(0)} kB`
  return `${bytes} B`
}

export function formatDuration(ms: number | null | undefined): string {
  if (ms == null || !Number.isFinite(ms)) return '—'
  if (ms < 1000) return `${Math.round(ms)} ms`
  return `${(ms / 1000).toFixed(ms < 10_000 ? 2 : 1)} s`
}
