// Two runs at once in one project would both write .vitest-memory/report.json, the later silently
// replacing the earlier. A run claims its report path while it runs, with a lock file next to the
// report holding its pid; a run that finds the path claimed by a live process writes
// report.<pid>.json instead and says so in one line. The history needs none of this: its writes
// merge under their own lock.
import { linkSync, readFileSync, rmSync, unlinkSync, writeFileSync } from 'node:fs'
import { displayPath } from './display-path.js'
import { makeDirFor } from '../state-dir.js'
import { outputKind } from './output-path.js'

export interface ReportClaim {
  /** Where this run writes its report. */
  path: string
  /** One line when the usual path was taken by another run. */
  note: string | null
  release(): void
}

/** Claims `path` for this run, or its report.<pid>.json variant when another live run holds it. */
export function claimReportPath(path: string, pid = process.pid): ReportClaim {
  return claimOutputPath(path, 'report', pid)
}

/** The same for any output a run writes from its start to its end (the report, the journal). */
export function claimOutputPath(path: string, what: string, pid = process.pid): ReportClaim {
  // A FIFO or a device (/dev/null) is written in place and shared by design: no lock beside it.
  if (isInPlace(path)) return { path, note: null, release: () => {} }
  const lockPath = `${path}.lock`
  const holder = tryLock(lockPath, pid)
  if (holder === null) return { path, note: null, release: () => unlock(lockPath, pid) }
  const own = ownVariant(path, pid)
  return {
    path: own,
    note: `vitest-memory: another run (pid ${holder}) was writing ${displayPath(path)} when this one started; this run's ${what} is ${displayPath(own)}.`,
    release: () => {},
  }
}

function isInPlace(path: string): boolean {
  try {
    return outputKind(path) === 'in-place'
  } catch {
    return false // a link or a folder: the write itself refuses it in one line
  }
}

/** report.json → report.<pid>.json, journal.jsonl → journal.<pid>.jsonl. */
export function ownVariant(path: string, pid: number): string {
  return path.replace(/(\.jsonl?)?$/i, `.${pid}$1`)
}

/** Takes the lock (null), or returns the pid of the live process holding it. */
function tryLock(lockPath: string, pid: number): number | null {
  for (let attempt = 0; attempt < 3; attempt++) {
    // Written aside, then linked into place: the lock appears with its pid already in it.
    const temp = `${lockPath}.${pid}.tmp`
    try {
      makeDirFor(lockPath)
      writeFileSync(temp, `${pid}\n`)
      linkSync(temp, lockPath)
      return null
    } catch (error) {
      // A lock that cannot be made (read-only folder…) is no reason to lose the report: write it where asked.
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') return null
    } finally {
      rmSync(temp, { force: true })
    }
    const holder = lockHolder(lockPath)
    if (holder === pid) return null
    if (holder !== null && isAlive(holder)) return holder
    // Left by a run that died: break it and try again.
    try {
      unlinkSync(lockPath)
    } catch {
      // someone else broke it first
    }
  }
  return null
}

function lockHolder(lockPath: string): number | null {
  try {
    const pid = Number.parseInt(readFileSync(lockPath, 'utf8'), 10)
    return Number.isInteger(pid) && pid > 0 ? pid : null
  } catch {
    return null
  }
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0)
    return true
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM'
  }
}

function unlock(lockPath: string, pid: number): void {
  if (lockHolder(lockPath) !== pid) return
  try {
    unlinkSync(lockPath)
  } catch {
    // already gone
  }
}

/** Registers `release` once per process and `key` (watch mode claims again on every rerun). */
export function onProcessExit(release: () => void, key = 'report'): void {
  const mark = Symbol.for(`vitest-memory.${key}-claim-exit`)
  const holder = process as unknown as Record<symbol, boolean>
  if (holder[mark]) return
  holder[mark] = true
  process.once('exit', release)
}
