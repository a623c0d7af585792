// The measured history: per file, its last few peaks, durations and dates. Meant to be kept in a
// CI cache or committed. Writes merge with what is on disk under a lock and land atomically, so
// parallel shards or an interrupted run never lose or corrupt earlier entries.
import { closeSync, existsSync, openSync, readFileSync, renameSync, statSync, unlinkSync } from 'node:fs'
import { join } from 'node:path'
import { displayPath, printable } from './display-path.js'
import { duplicateText, findDuplicates } from './duplicates.js'
import { mayMoveAside } from './output-path.js'
import { boundEntries } from './history-bound.js'
import { writeJsonAtomic } from './report.js'
import { schemaProblem } from './schemas.js'
import { schemaRef } from '../schema-ref.js'
import { makeDirFor } from '../state-dir.js'

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
  /** "vitest-memory/schema/history.json" in files this version writes. */
  $schema?: string
  schemaVersion: typeof HISTORY_SCHEMA_VERSION
  entries: HistoryEntry[]
}

/** What a history file holds, checked entry by entry against schema/history.schema.json. */
export interface HistoryCheck {
  /** The entries that fit (null when the file as a whole is unusable). */
  history: History | null
  /** Why the whole file is unusable: not JSON, not a history, or a newer schema. */
  unusable?: 'corrupt' | 'newer'
  /** One line for the user, naming the file. */
  warning?: string
}

export function emptyHistory(): History {
  return { $schema: schemaRef('history'), schemaVersion: HISTORY_SCHEMA_VERSION, entries: [] }
}

/**
 * Checks a history's text without touching the file: entries (or single runs) that do not fit the
 * schema are dropped and counted in one warning; the others are kept.
 */
export function checkHistory(text: string, shown: string): HistoryCheck {
  let data: unknown
  try {
    data = JSON.parse(text)
  } catch (error) {
    return { history: null, unusable: 'corrupt', warning: `${shown} is not valid JSON (${printable((error as Error).message, 120)})` }
  }
  const version = (data as { schemaVersion?: unknown } | null)?.schemaVersion
  if (typeof version === 'number' && version > HISTORY_SCHEMA_VERSION) {
    return {
      history: null,
      unusable: 'newer',
      warning: `${shown} was written by a newer vitest-memory (history schema ${version}; this version reads ${HISTORY_SCHEMA_VERSION})`,
    }
  }
  // The frame first (an object, schemaVersion 1, an entries array), then each entry on its own.
  const frame = isObject(data) && Array.isArray(data.entries) ? { ...data, entries: [] } : data
  const problem = schemaProblem('history', frame)
  if (problem) return { history: null, unusable: 'corrupt', warning: `${shown} is not a vitest-memory history: ${problem}` }
  const problems: string[] = []
  const entries: HistoryEntry[] = []
  ;(data as { entries: unknown[] }).entries.forEach((raw, i) => {
    const at = `entries[${i}]`
    const problem = schemaProblem('history', isObject(raw) && Array.isArray(raw.runs) ? { ...raw, runs: [] } : raw, 'entry', at)
    if (problem) {
      problems.push(problem)
      return
    }
    const entry = raw as HistoryEntry
    const kept = entry.runs.filter((run, j) => {
      const bad = schemaProblem('history', run, 'run', `${at}.runs[${j}]`)
      if (bad) problems.push(bad)
      return !bad
    })
    if (kept.length > 0) entries.push({ project: entry.project, file: entry.file, runs: kept })
  })
  const repeats = findDuplicates(entries)
  const kept = mergeRepeats(entries)
  const history: History = { $schema: schemaRef('history'), schemaVersion: HISTORY_SCHEMA_VERSION, entries: kept }
  if (problems.length === 0 && repeats.length === 0) return { history }
  const files = `${kept.length} file${kept.length === 1 ? '' : 's'} kept`
  const merged = repeats.length === 1 ? 'merged into one entry' : `${repeats.length} repeats merged, the first shown`
  if (problems.length === 0) return { history, warning: `${shown}: ${duplicateText('entries', repeats[0])} — ${merged}; ${files}` }
  const dropped = problems.length === 1 ? 'entry dropped' : `${problems.length} entries dropped, the first shown`
  const alsoMerged = repeats.length ? `; ${repeats.length} repeated entr${repeats.length === 1 ? 'y' : 'ies'} merged` : ''
  return { history, warning: `${shown}: ${problems[0]} — ${dropped}${alsoMerged}; ${files}` }
}

/**
 * One entry per (project, file): a repeated entry's runs join the first's, by date, identical runs
 * once, the last RUNS_KEPT kept. The same whatever the order of the repeats, so every reader agrees.
 */
function mergeRepeats(entries: HistoryEntry[]): HistoryEntry[] {
  const byKey = new Map<string, HistoryEntry>()
  for (const entry of entries) {
    const key = entryKey(entry.project, entry.file)
    const first = byKey.get(key)
    if (!first) {
      byKey.set(key, entry)
      continue
    }
    const runs = new Map([...first.runs, ...entry.runs].map(run => [JSON.stringify(run), run]))
    first.runs = [...runs.entries()]
      .sort(([ka, a], [kb, b]) => a.at.localeCompare(b.at) || ka.localeCompare(kb))
      .map(([, run]) => run)
      .slice(-RUNS_KEPT)
  }
  return [...byKey.values()]
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value)
}

/** Checks the history file without touching it; a missing file is an empty history. */
export function inspectHistory(path: string): HistoryCheck {
  let text: string
  try {
    // A FIFO or a device (/dev/null, /dev/zero) holds no history: not read (it could block or never end).
    const stats = statSync(path)
    if (!stats.isFile() && !stats.isDirectory()) return { history: emptyHistory() }
    text = readFileSync(path, 'utf8')
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return { history: emptyHistory() }
    return {
      history: null,
      unusable: 'corrupt',
      warning: `${displayPath(path)} cannot be read (${(error as NodeJS.ErrnoException).code ?? (error as Error).message})`,
    }
  }
  return checkHistory(text, displayPath(path))
}

/**
 * Reads the history for the writer: bad entries are dropped (the warning says so), an unusable
 * file is renamed aside and a new history started. A newer version's file is never touched:
 * `history` is then null and the caller must not write.
 */
export function readHistory(path: string): { history: History | null; warning?: string } {
  const check = inspectHistory(path)
  if (check.history) return { history: check.history, ...(check.warning ? { warning: `vitest-memory: ${check.warning}.` } : {}) }
  if (check.unusable === 'newer') return { history: null, warning: `vitest-memory: ${check.warning}: it is left as it is and not updated.` }
  // Only our own regular file is set aside: a folder or a link is the user's.
  if (!mayMoveAside(path))
    return {
      history: null,
      warning: `vitest-memory: ${check.warning}; it is not vitest-memory's own regular file (a link, a device…), so it is left as it is and not updated.`,
    }
  const aside = `${path}.corrupt-${Date.now()}`
  try {
    renameSync(path, aside)
  } catch {
    // someone else set it aside first
  }
  return { history: emptyHistory(), warning: `vitest-memory: ${check.warning}; it was moved to ${displayPath(aside)} and a new one started.` }
}

/** Reads the history without touching it: the entries that fit, or null when missing or unusable. */
export function peekHistory(path: string): History | null {
  return existsSync(path) ? inspectHistory(path).history : null
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
  return run ? (run.treePeakRssBytes ?? run.peakRssBytes) : null
}

export interface MeasuredRun {
  project: string
  file: string
  run: HistoryRun
}

/**
 * Pure merge: appends each run to its entry, keeps the last RUNS_KEPT, drops entries `exists` rejects
 * and, past MAX_HISTORY_ENTRIES, those run longest ago (history-bound.ts).
 */
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
    $schema: schemaRef('history'),
    schemaVersion: HISTORY_SCHEMA_VERSION,
    entries: boundEntries(entries.filter(e => exists(e.file))).sort((a, b) => a.file.localeCompare(b.file) || a.project.localeCompare(b.project)),
  }
}

/** Merges a run's measurements into the history file at `path`; files gone from `root` are pruned. */
export async function recordHistory(path: string, root: string, measured: MeasuredRun[]): Promise<string | undefined> {
  const release = await lock(`${path}.lock`)
  try {
    const { history, warning } = readHistory(path)
    if (history)
      writeJsonAtomic(
        path,
        mergeRuns(history, measured, file => existsSync(join(root, file))),
      )
    return warning
  } finally {
    release()
  }
}

async function lock(lockPath: string): Promise<() => void> {
  const deadline = Date.now() + LOCK_WAIT_MS
  for (;;) {
    try {
      makeDirFor(lockPath)
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
      if (Date.now() > deadline)
        throw new Error(`vitest-memory: the history is locked by another run (${lockPath}); delete that file if no other run is going on.`)
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
