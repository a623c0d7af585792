// Linux /proc readers. Exact figures straight from the kernel; no Vitest imports here.
import { readFileSync, writeFileSync } from 'node:fs'
import { envSwitch } from '../env.js'

export interface ProcessMemory {
  /** Current resident set size (VmRSS). */
  rssBytes: number
  /** Peak resident set size since start or the last clear_refs reset (VmHWM). */
  hwmBytes: number
}

let procfsAvailable: boolean | undefined

/** procfs is used on Linux unless VITEST_MEMORY_FORCE_FALLBACK=1 (or true, yes, on) asks for the portable path. */
export function hasProcfs(): boolean {
  if (envSwitch(process.env.VITEST_MEMORY_FORCE_FALLBACK ?? '') === 'on') return false
  if (procfsAvailable === undefined) {
    procfsAvailable = process.platform === 'linux' && readProcessMemory(process.pid) !== null
  }
  return procfsAvailable
}

function kbField(status: string, field: string): number | null {
  const match = new RegExp(`^${field}:\\s+(\\d+) kB`, 'm').exec(status)
  return match ? Number(match[1]) * 1024 : null
}

/** Reads VmRSS and VmHWM of a live process; null when it is gone (or is a zombie). */
export function readProcessMemory(pid: number | 'self'): ProcessMemory | null {
  let status: string
  try {
    status = readFileSync(`/proc/${pid}/status`, 'utf8')
  } catch {
    return null
  }
  const rssBytes = kbField(status, 'VmRSS')
  const hwmBytes = kbField(status, 'VmHWM')
  if (rssBytes === null || hwmBytes === null) return null
  return { rssBytes, hwmBytes }
}

/**
 * A numeric field of /proc/<pid>/stat, counted from the state field (0) that follows the command
 * name; null when the process is gone.
 */
export function readStatField(pid: number, index: number): number | null {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8')
    // The command name may hold spaces and parentheses: fields resume after the last ')'.
    return Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[index])
  } catch {
    return null
  }
}

/** The parent pid of a live process; null when it is gone. */
export function readParentPid(pid: number): number | null {
  return readStatField(pid, 1)
}

/** The kernel's start time of a process (clock ticks since boot): tells a pid apart from a reused one. */
export function readStartTime(pid: number): number | null {
  return readStatField(pid, 19)
}

/** The command of a process (/proc/<pid>/cmdline), shortened, to name it in messages; '?' when gone. */
export function readCommand(pid: number): string {
  try {
    return commandText(readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0').filter(Boolean))
  } catch {
    return '?'
  }
}

/** How long a command named in a message may be (its program's name is never cut). */
export const COMMAND_TEXT_MAX = 80

/**
 * A command in a few words: the program's base name (its directory depends on where things are
 * installed and would push what matters out of a cut text) and its arguments, the arguments cut
 * when the whole is longer than `max`.
 */
export function commandText(argv: string[], max = COMMAND_TEXT_MAX): string {
  if (argv.length === 0) return '?'
  const program = argv[0].split('/').filter(Boolean).at(-1) ?? argv[0]
  const args = argv.slice(1).join(' ').replace(/\s+/g, ' ').trim()
  const text = args ? `${program} ${args}` : program
  if (text.length <= max) return text
  return `${program} ${args.slice(0, Math.max(0, max - program.length - 4))}...`
}

/**
 * Resets the kernel's high-water mark of `pid` to its current RSS (Linux >= 4.0),
 * so the next VmHWM reading is the peak since now. Returns false where not allowed.
 */
export function resetPeak(pid: number | 'self'): boolean {
  try {
    writeFileSync(`/proc/${pid}/clear_refs`, '5')
    return true
  } catch {
    return false
  }
}
