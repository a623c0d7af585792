// The measured history: per file, its last few peaks, durations and dates. Meant to be kept in a
// CI cache or committed. Writes merge with what is on disk under a lock and land atomically, so
// parallel shards or an interrupted run never lose or corrupt earlier entries.
import { closeSync, existsSync, mkdirSync, openSync, readFileSync, renameSync, statSync, unlinkSync } from 'node:fs'
import { dirname, join } from 'node:path'
import { writeJsonAtomic } from './report.js'

export const HISTORY_SCHEMA_VERSION = 1
/** Runs kept per file. */
export const RUNS_KEPT = 5
/** A lock older than this was left by a runner that died; it is broken. */
const STALE_LOCK_MS = 30_000
const LOCK_WAIT_MS = 10_000

export interface HistoryRun {
  /** ISO date of the run. */
  at: string
  peakRssBytes: number | null
  treePeakRssBytes: number | null
  durationMs: number | null
  state: string
}

export interface HistoryEntry {
  project: string
  /** Relative to the root, forward slashes. */
  file: string
  /** Oldest first; at most RUNS_KEPT. */
  runs: HistoryRun[]
}

export interface History {
  schemaVersion: typeof HISTORY_SCHEMA_VERSION
  entries: HistoryEntry[]
}

export interface HistoryRead {
  history: History
  /** One line for the user when the file was unreadable and was set aside. */
  warning?: string
}

export function emptyHistory(): History {
  return { schemaVersion: HISTORY_SCHEMA_VERSION, entries: [] }
}

function isHistory(data: unknown): data is History {
  const h = data as History
  return typeof h === 'object' && h !== null && h.schemaVersion === HISTORY_SCHEMA_VERSION && Array.isArray(h.entries)
    && h.entries.every(e => typeof e?.file === 'string' && typeof e.project === 'string' && Array.isArray(e.runs))
}

/** Reads the history; a missing file is empty, a corrupt one is renamed aside and reported. */
export function readHistory(path: string): HistoryRead {
  if (!existsSync(path)) return { history: emptyHistory() }
  let data: unknown
  try {
    data = JSON.parse(readFileSync(path, 'utf8'))
  } catch {
    data = undefined
  }
  if (isHistory(data)) return { history: data }
  const aside = `${path}.corrupt-${Date.now()}`
  try {
    renameSync(path, aside)
  } catch {
    // someone else set it aside first
  }
  return { history: emptyHistory(), warning: `vitest-memory: the history file ${path} was not valid history JSON; it was moved to ${aside} and a new one started.` }
}

/** Reads the history without touching it: null when missing or unreadable (the writer sets a corrupt one aside). */
export function peekHistory(path: string): History | null {
  try {
    const data: unknown = JSON.parse(readFileSync(path, 'utf8'))
    return isHistory(data) ? data : null
  } catch {
    return null
  }
}

export function entryKey(project: string, file: string): string {
  return `${project}\0${file}`
}

/** Finds a file's entry in a history. */
export function historyIndex(history: History): Map<string, HistoryEntry> {
  return new Map(history.entries.map(e => [entryKey(e.project, e.file), e]))
}

/** The most recent run's tree peak (what budgets are judged on), or null. */
export function lastPeak(entry: HistoryEntry | undefined): number | null {
  const run = entry?.runs.at(-1)
  return run ? run.treePeakRssBytes ?? run.peakRssBytes : null
}

export interface MeasuredRun {
  project: string
  file: string
  run: HistoryRun
}

/** Pure merge: appends each run to its entry, keeps the last RUNS_KEPT, drops entries `exists` rejects. */
export function mergeRuns(history: History, measured: MeasuredRun[], exists: (file: string) => boolean): History {
  const entries = history.entries.map(e => ({ ...e, runs: [...e.runs] }))
  const byKey = new Map(entries.map(e => [entryKey(e.project, e.file), e]))
  for (const { project, file, run } of measured) {
    const key = entryKey(project, file)
    let entry = byKey.get(key)
    if (!entry) {
      entry = { project, file, runs: [] }
      byKey.set(key, entry)
      entries.push(entry)
    }
    entry.runs.push(run)
    entry.runs.sort((a, b) => a.at.localeCompare(b.at))
    entry.runs = entry.runs.slice(-RUNS_KEPT)
  }
  return {
    schemaVersion: HISTORY_SCHEMA_VERSION,
    entries: entries.filter(e => exists(e.file)).sort((a, b) => a.file.localeCompare(b.file) || a.project.localeCompare(b.project)),
  }
}

/** Merges a run's measurements into the history file at `path`; files gone from `root` are pruned. */
export async function recordHistory(path: string, root: string, measured: MeasuredRun[]): Promise<string | undefined> {
  const release = await lock(`${path}.lock`)
  try {
    const { history, warning } = readHistory(path)
    writeJsonAtomic(path, mergeRuns(history, measured, file => existsSync(join(root, file))))
    return warning
  } finally {
    release()
  }
}

async function lock(lockPath: string): Promise<() => void> {
  const deadline = Date.now() + LOCK_WAIT_MS
  for (;;) {
    try {
      mkdirSync(dirname(lockPath), { recursive: true })
      closeSync(openSync(lockPath, 'wx'))
      return () => {
        try {
          unlinkSync(lockPath)
        } catch {
          // already removed
        }
      }
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error
      breakStaleLock(lockPath)
      if (Date.now() > deadline) throw new Error(`vitest-memory: the history is locked by another run (${lockPath}); delete that file if no other run is going on.`)
      await new Promise(resolve => setTimeout(resolve, 25 + Math.random() * 50))
    }
  }
}

function breakStaleLock(lockPath: string): void {
  try {
    if (Date.now() - statSync(lockPath).mtimeMs > STALE_LOCK_MS) unlinkSync(lockPath)
  } catch {
    // released meanwhile
  }
}
