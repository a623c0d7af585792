// The report model: the one plain-data contract between measuring and showing.
// The pool fills measurements, every renderer reads this, report.json is it serialized.
import type {
  TimelinePoint,
  MeasurementMethod,
  PeakProcess,
  FileMeasurement,
  FileTagging,
  RecycleRecord,
  TestPeakMethod,
  LeakVerdict,
  AllocationSite,
  SpareStats,
} from '../model.js'
import { judgeFile, type JudgedBasis, type VerdictPolicy } from '../policy/verdict.js'
import { leftBehind } from '../policy/retained.js'
import type { TestDetails, TestReport } from './tests.js'
import { maxOf } from '../numbers.js'

export const SCHEMA_VERSION = 1

/** `killed`: stopped by the hard limit; `aborted`: running when the runner was stopped (partial report). */
export type FileState = 'pass' | 'fail' | 'skip' | 'crash' | 'killed' | 'aborted'

export interface FileReport {
  /** Path relative to the root, with forward slashes. */
  file: string
  project: string
  state: FileState
  peakRssBytes: number | null
  treePeakRssBytes: number | null
  durationMs: number | null
  budgetBytes: number | null
  budgetSource: string | null
  /** Over its budget (policy/verdict.ts): a failed file in fail mode, a warning in warn mode. */
  overBudget: boolean
  /**
   * The figure the budget judged and "heaviest" means (sort, bars, summary): the tree peak, or in
   * a shared process under `sharedBudget: 'added'` what the file added above the process's start.
   */
  judgedBytes?: number | null
  judgedBasis?: JudgedBasis
  method: MeasurementMethod | null
  /** The file's tags: its `@module-tag` comments plus `memory_intensive` from a glob or the history. */
  tags: string[]
  /** Why it is memory_intensive: "comment" | "glob <pattern>" | "history: <peak> on <date>"; null if it is not. */
  tagSource: string | null
  /** Set when the pool never started the file (state "skip"): why. */
  skipReason: string | null
  /** memory_intensive from the history since its last run (the run before was under the threshold). */
  newlyMemoryIntensive?: boolean
  /** Peak before the first test started: imports, module-level code, beforeAll. */
  setupPeakRssBytes: number | null
  /** How per-test peaks were taken: "clear_refs" (exact per test) or "running-max". */
  testPeakMethod: TestPeakMethod | null
  /** Every test that ran, in the order they finished. */
  tests: TestReport[]
  /** The leak signal (--detect-leaks), null when not asked or too few tests. */
  leak: LeakVerdict | null
  /** The file's heap profile and its top allocation sites (--heap-profile), else null. */
  profile: ProfileReport | null
  /** Milliseconds from the run's (or shard's) first file start to this file's start. */
  startedAtMs?: number
  /** Worker slot the file ran in: 0 … maxWorkers − 1 (lowest free when it started). */
  workerSlot?: number
  /** "i/n" when the file ran in shard i of n and the report was merged with --merge-reports. */
  shard?: string
  /**
   * Watch mode only: the file was not re-run by the last run; its figures are those of the run
   * started at this time (ISO date). Absent for every file the run measured itself.
   */
  measuredAt?: string
  /**
   * The test environment whose library (jsdom, happy-dom) the file's process — a spare — loaded
   * before the file arrived. That memory is part of the file's peak and of its setup peak.
   */
  preloadedEnvironment?: string | null
  /** The hard limit that applied, and where it came from ("comment", "glob <pattern>", "global"). */
  limitBytes?: number | null
  limitSource?: string | null
  /** When the process died before the file finished: how, and the likely cause. */
  signal?: string | null
  exitCode?: number | null
  crash?: CrashDetail
  /** Set when the file ran in a shared process (isolate: false): where, and what it added and left. */
  shared?: SharedFileReport
  /**
   * When its tree peaked with subprocesses in it: the heaviest processes then (pid, command — null
   * for the test file's own process — and RSS), so a tree peak that moves from run to run shows why.
   */
  treePeakProcesses?: PeakProcess[]
}

export interface SharedFileReport {
  /** The process's number in the run: files with the same number ran in one process, in `order`. */
  process: number
  order: number
  /** The file that ran just before it in that process, or null for the first. */
  previousFile: string | null
  /** RSS the process held when the file started. */
  startRssBytes: number
  /** The file's own peak above that start (treePeakRssBytes − startRssBytes). */
  addedPeakBytes: number | null
  /**
   * After a forced full GC at the file's end, RSS (and heap + external) minus the same after the
   * previous forced GC, which `retainedFiles` files ago (1: exactly this file's). Null when no GC
   * ran after it: its process's JavaScript memory grew by less than half of retainedAbove.
   */
  retainedBytes: number | null
  retainedHeapBytes: number | null
  retainedFiles: number
  /** How long that GC took. */
  gcMs: number | null
  /** What it kept is at or above `retainedAboveBytes`: it is named in the reports. */
  leftBehind: boolean
}

/** The shared processes of a run (isolate: false): recycles and the files that left memory behind. */
export interface SharedProcessesReport {
  processes: number
  retainedAboveBytes: number
  /** Files that left at least retainedAboveBytes in their process, heaviest first. */
  leftBehind: string[]
  recycles: RecycleReport[]
}

export interface RecycleReport {
  /** Milliseconds from the run's start. */
  atMs: number
  project: string
  process: number
  rssBytes: number
  thresholdBytes: number
  /** The files the process ran, in order; the last one is the file after which it was replaced. */
  files: string[]
}

/** How budgets judge files (and a file of a shared process: what it added, or its whole peak). */
export interface SharedPolicy extends VerdictPolicy {
  retainedAboveBytes: number
}

export interface ProfileReport {
  /** The .heapprofile file, relative to the root: open it in Chrome DevTools. */
  path: string
  /**
   * "peak": taken in the main run at the file's highest memory (--heap-profile=peak); "main": what
   * was live when the process exited (--heap-profile=all); "rerun": a second run of an over-budget
   * file, profiled at its peak.
   */
  pass: 'main' | 'rerun' | 'peak'
  sites: AllocationSite[]
  /** Why there are no sites, when the profile could not be taken or read. */
  error?: string
  /** Profiles taken at the peak: the process's RSS when it was taken. */
  capturedAtRssBytes?: number
  /** ... the bytes its sampled live objects add up to (the V8 heap's share of that RSS). */
  sampledBytes?: number
  /** ... and the main thread's memory then (process.memoryUsage()): Buffers live outside the V8 heap. */
  memory?: PeakMemory
}

export interface PeakMemory {
  heapUsedBytes: number | null
  externalBytes: number | null
  arrayBuffersBytes: number | null
}

export interface CrashDetail {
  cause: string
  explanation: string
  fix: string
  /** "<pid> <command>" of the heaviest process in the tree ("<pid> the test file's own process" for the file's), when the limit killed it. */
  heaviest?: string
}

export interface RunInfo {
  vitestVersion: string
  nodeVersion: string
  platform: NodeJS.Platform
  totalMemoryBytes: number
  cgroupLimitBytes: number | null
  cpus: number
  startedAt: string
  durationMs: number
  /** Set in the partial report written when the runner was stopped by a signal. */
  abortedBy?: string
  /** The --max-memory ceiling in force (files started only when they fit under it), when set. */
  maxMemoryBytes?: number
  /**
   * Set when --heap-profile=peak ran V8's sampling profiler in every file's process: every figure,
   * budget and limit of the run includes what the profiler holds (~11 MB a small file).
   */
  heapProfiledAtPeak?: true
  /** How the files found their processes: on a spare that loaded their environment, or not. */
  spares?: SpareStats
}

export interface MemoryReport {
  /** "vitest-memory/schema/report.json": the JSON Schema, resolvable from the package. */
  $schema?: string
  schemaVersion: typeof SCHEMA_VERSION
  run: RunInfo
  budgetBytes: number | null
  budgetMode: 'fail' | 'warn'
  files: FileReport[]
  /** Summed RSS of all running files' process trees over time (absent in a merged report). */
  timeline?: TimelinePoint[]
  /** Present when files ran in shared processes (isolate: false). */
  sharedProcesses?: SharedProcessesReport
}

/** What the reporter knows about one test module from Vitest. */
export interface ModuleOutcome {
  file: string
  relativeFile: string
  project: string
  vitestState: string
  durationMs: number | null
  /** Whether the pool handed the file to a process; false for files --bail or a cancel never ran. */
  started?: boolean
}

export function fileState(vitestState: string, started = true): FileState {
  switch (vitestState) {
    case 'passed':
      return 'pass'
    case 'failed':
      return 'fail'
    case 'skipped':
      return 'skip'
    // Still pending after the run: its process died before it could finish — unless no process
    // was ever given the file (--bail, a cancel), then it simply did not run.
    default:
      return started ? 'crash' : 'skip'
  }
}

const NO_DETAILS: TestDetails = { setupPeakRssBytes: null, testPeakMethod: null, tests: [], leak: null }

const DEFAULT_SHARED_POLICY: SharedPolicy = { retainedAboveBytes: 50e6, sharedBudget: 'added', budgetMode: 'fail' }

export function buildFileReport(
  outcome: ModuleOutcome,
  measurement: FileMeasurement | undefined,
  tagging?: FileTagging,
  details: TestDetails = NO_DETAILS,
  policy: SharedPolicy = DEFAULT_SHARED_POLICY,
): FileReport {
  const budget = measurement?.budgetBytes != null ? { bytes: measurement.budgetBytes, source: measurement.budgetSource ?? 'global' } : null
  const crash = measurement?.crash
  const shared = measurement?.shared ? sharedFileReport(measurement, policy) : undefined
  const verdict = judgeFile(
    {
      treePeakRssBytes: measurement?.treePeakRssBytes ?? null,
      budgetBytes: budget?.bytes ?? null,
      budgetSource: budget?.source ?? null,
      shared: measurement?.shared,
    },
    policy,
  )
  return {
    file: outcome.relativeFile,
    project: outcome.project,
    state: crash ? crash.state : fileState(outcome.vitestState, outcome.started),
    peakRssBytes: measurement?.peakRssBytes ?? null,
    treePeakRssBytes: measurement?.treePeakRssBytes ?? null,
    durationMs: measurement?.durationMs ?? (tagging?.skipReason ? null : outcome.durationMs),
    budgetBytes: budget?.bytes ?? null,
    budgetSource: budget?.source ?? null,
    overBudget: verdict.over,
    judgedBytes: verdict.judgedBytes,
    judgedBasis: verdict.basis,
    method: measurement?.method ?? null,
    tags: tagging?.tags ?? [],
    tagSource: tagging?.tagSource ?? null,
    skipReason: tagging?.skipReason ?? null,
    ...(tagging?.newly ? { newlyMemoryIntensive: true } : {}),
    ...details,
    profile: null,
    limitBytes: measurement?.limitBytes ?? null,
    limitSource: measurement?.limitSource ?? null,
    ...(measurement?.preloadedEnvironment ? { preloadedEnvironment: measurement.preloadedEnvironment } : {}),
    ...(crash
      ? {
          signal: crash.signal,
          exitCode: crash.exitCode,
          crash: { cause: crash.cause, explanation: crash.explanation, fix: crash.fix, ...(crash.heaviest ? { heaviest: crash.heaviest } : {}) },
        }
      : {}),
    ...(shared ? { shared } : {}),
    ...(measurement?.treePeakProcesses ? { treePeakProcesses: measurement.treePeakProcesses.map(p => ({ ...p })) } : {}),
  }
}

function sharedFileReport(measurement: FileMeasurement, policy: SharedPolicy): SharedFileReport {
  const run = measurement.shared!
  const peak = measurement.treePeakRssBytes ?? measurement.peakRssBytes
  const retained =
    run.retainedBytes != null && run.retainedHeapBytes != null ? { retainedBytes: run.retainedBytes, retainedHeapBytes: run.retainedHeapBytes } : null
  return {
    process: run.process,
    order: run.order,
    previousFile: run.previousFile,
    startRssBytes: run.startRssBytes,
    addedPeakBytes: peak == null ? null : Math.max(0, peak - run.startRssBytes),
    retainedBytes: retained?.retainedBytes ?? null,
    retainedHeapBytes: retained?.retainedHeapBytes ?? null,
    retainedFiles: run.retainedFiles ?? 0,
    gcMs: run.gcMs ?? null,
    leftBehind: retained ? leftBehind(retained, policy.retainedAboveBytes) : false,
  }
}

/** The run's shared-process summary, or undefined when no file ran in a shared process. */
export function sharedProcessesReport(
  files: FileReport[],
  recycles: RecycleRecord[],
  runStartedAt: number,
  policy: SharedPolicy,
): SharedProcessesReport | undefined {
  const shared = files.filter(f => f.shared)
  if (shared.length === 0 && recycles.length === 0) return undefined
  const leavers = shared.filter(f => f.shared!.leftBehind).sort((a, b) => (b.shared!.retainedHeapBytes ?? 0) - (a.shared!.retainedHeapBytes ?? 0))
  return {
    processes: new Set(shared.map(f => `${f.project}\0${f.shared!.process}`)).size,
    retainedAboveBytes: policy.retainedAboveBytes,
    leftBehind: leavers.map(f => f.file),
    recycles: recycles.map(r => ({
      atMs: r.at - runStartedAt,
      project: r.project,
      process: r.process,
      rssBytes: r.rssBytes,
      thresholdBytes: r.thresholdBytes,
      files: r.files,
    })),
  }
}

/**
 * The run's peak: the summed RSS of the files running at once is sampled (it can miss a spike
 * between two samples), while each file's own peak is exact; the run held at least its heaviest
 * file's, so the figure is the higher of the two. `sampled` says the sum made it.
 */
export function runPeak(report: Pick<MemoryReport, 'timeline' | 'files'>): { bytes: number; sampled: boolean } | null {
  const summed = report.timeline?.length ? maxOf(report.timeline.map(p => p.rssBytes)) : null
  const heaviest = report.files.reduce((max, f) => Math.max(max, f.treePeakRssBytes ?? f.peakRssBytes ?? 0), 0)
  if (summed == null && heaviest === 0) return null
  return (summed ?? 0) > heaviest ? { bytes: summed!, sampled: true } : { bytes: heaviest, sampled: false }
}

/** Heaviest first: by tree peak, then own peak; unmeasured files last. */
/**
 * The one figure "heaviest" means everywhere (sort, summary, bars): the tree peak — or, for a
 * file of a shared process, the peak it added above what the process held at its start (what
 * earlier files left behind is theirs, not its).
 */
export function fileWeight(file: FileReport): number | null {
  // A report from before the verdict carried its figure: the shared rule of that time.
  if (file.judgedBytes !== undefined) return file.judgedBytes
  return file.shared ? file.shared.addedPeakBytes : file.treePeakRssBytes
}

export function byWeight(a: FileReport, b: FileReport): number {
  return (fileWeight(b) ?? -1) - (fileWeight(a) ?? -1) || (b.peakRssBytes ?? -1) - (a.peakRssBytes ?? -1)
}

// Written whole or not at all; kept here for the modules that import it with the report model.
export { writeJsonAtomic } from './atomic-write.js'
