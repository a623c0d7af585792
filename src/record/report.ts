// The report model: the one plain-data contract between measuring and showing.
// The pool fills measurements, every renderer reads this, report.json is it serialized.
import { mkdirSync, renameSync, writeFileSync } from 'node:fs'
import { dirname } from 'node:path'
import type { TimelinePoint } from '../measure/run-timeline.js'
import type { MeasurementMethod } from '../measure/self.js'
import { isOverBudget } from '../policy/budget.js'
import type { FileMeasurement, FileTagging } from '../state.js'
import type { TestPeakMethod } from '../measure/test-peaks.js'
import type { LeakVerdict } from '../policy/leaks.js'
import type { AllocationSite } from '../profile/heap-profile.js'
import type { SpareStats } from '../pool/spares.js'
import type { TestDetails, TestReport } from './tests.js'

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
  overBudget: boolean
  method: MeasurementMethod | null
  /** The file's tags: its `@module-tag` comments plus `memory_intensive` from a glob or the history. */
  tags: string[]
  /** Why it is memory_intensive: "comment" | "glob <pattern>" | "history: <peak> on <date>"; null if it is not. */
  tagSource: string | null
  /** Set when the pool never started the file (state "skip"): why. */
  skipReason: string | null
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
}

export interface ProfileReport {
  /** The .heapprofile file, relative to the root: open it in Chrome DevTools. */
  path: string
  /** "all" profiled in the main run, "over-budget" in a second run of this file. */
  pass: 'main' | 'rerun'
  sites: AllocationSite[]
  /** Why there are no sites, when the profile could not be taken or read. */
  error?: string
}

export interface CrashDetail {
  cause: string
  explanation: string
  fix: string
  /** "<pid> <command>" of the heaviest process in the tree, when the limit killed it. */
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
  /** How the files found their processes: on a spare that loaded their environment, or not. */
  spares?: SpareStats
}

export interface MemoryReport {
  schemaVersion: typeof SCHEMA_VERSION
  run: RunInfo
  budgetBytes: number | null
  budgetMode: 'fail' | 'warn'
  files: FileReport[]
  /** Summed RSS of all running files' process trees over time (absent in a merged report). */
  timeline?: TimelinePoint[]
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
    case 'passed': return 'pass'
    case 'failed': return 'fail'
    case 'skipped': return 'skip'
    // Still pending after the run: its process died before it could finish — unless no process
    // was ever given the file (--bail, a cancel), then it simply did not run.
    default: return started ? 'crash' : 'skip'
  }
}

const NO_DETAILS: TestDetails = { setupPeakRssBytes: null, testPeakMethod: null, tests: [], leak: null }

export function buildFileReport(outcome: ModuleOutcome, measurement: FileMeasurement | undefined, tagging?: FileTagging, details: TestDetails = NO_DETAILS): FileReport {
  const budget = measurement?.budgetBytes != null ? { bytes: measurement.budgetBytes, source: measurement.budgetSource ?? 'global' } : null
  const crash = measurement?.crash
  return {
    file: outcome.relativeFile,
    project: outcome.project,
    state: crash ? crash.state : fileState(outcome.vitestState, outcome.started),
    peakRssBytes: measurement?.peakRssBytes ?? null,
    treePeakRssBytes: measurement?.treePeakRssBytes ?? null,
    durationMs: measurement?.durationMs ?? (tagging?.skipReason ? null : outcome.durationMs),
    budgetBytes: budget?.bytes ?? null,
    budgetSource: budget?.source ?? null,
    overBudget: isOverBudget(measurement?.treePeakRssBytes ?? null, budget),
    method: measurement?.method ?? null,
    tags: tagging?.tags ?? [],
    tagSource: tagging?.tagSource ?? null,
    skipReason: tagging?.skipReason ?? null,
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
  }
}

/** Heaviest first: by tree peak, then own peak; unmeasured files last. */
export function byWeight(a: FileReport, b: FileReport): number {
  return (b.treePeakRssBytes ?? -1) - (a.treePeakRssBytes ?? -1) || (b.peakRssBytes ?? -1) - (a.peakRssBytes ?? -1)
}

/** Writes the report so a reader never sees half a file: temp file in the same folder, then rename. */
export function writeJsonAtomic(path: string, data: unknown): void {
  mkdirSync(dirname(path), { recursive: true })
  const temp = `${path}.${process.pid}.${Date.now()}.tmp`
  writeFileSync(temp, `${JSON.stringify(data, null, 2)}\n`)
  renameSync(temp, path)
}
