// State shared by the pool, the reporter and the CLI. Vitest loads the config (and so the pool)
// and the reporters through different module graphs, so a module-level variable would be seen
// by only one of them: the state lives on globalThis under a registered symbol instead.
import type { MeasurementMethod } from './measure/self.js'
import type { PeakProcess } from './measure/sampler.js'
import type { SharedFileFigures } from './measure/shared-file.js'
import type { TestPeakMethod } from './measure/test-peaks.js'
import type { MemoryPoolOptions } from './options.js'
import type { CrashCause } from './policy/crash.js'
import type { Journal } from './record/journal.js'
import type { ReportClaim } from './record/report-claim.js'
import type { PeakProfileRecord } from './profile/peak-files.js'

export interface FileMeasurement {
  /** Absolute path of the test file. */
  file: string
  project: string
  pid: number
  method: MeasurementMethod
  /** Exact peak RSS of the file's process (VmHWM), or null when it died before it could be read. */
  peakRssBytes: number | null
  /** Peak of the summed RSS of the process and its descendants (sampled), never below peakRssBytes. */
  treePeakRssBytes: number | null
  durationMs: number
  startedAt: number
  budgetBytes: number | null
  /** Where the budget came from: "comment", "glob <pattern>" or "global". */
  budgetSource: string | null
  /** Peak before the first test started (imports, module code, beforeAll). */
  setupPeakRssBytes?: number | null
  testPeakMethod?: TestPeakMethod | null
  /** The heap profile the process writes when it exits (heapProfile: 'all'). */
  profilePath?: string | null
  /** What was live at the file's peak (heapProfile: 'peak'), taken by its process and adopted by the pool. */
  peakProfile?: PeakProfileRecord
  /** The test environment whose library the process (a spare) loaded before the file arrived. */
  preloadedEnvironment?: string | null
  /** The hard limit that applied to this file, and where it came from. */
  limitBytes?: number | null
  limitSource?: string | null
  /** Set when the file's process died (or was killed) before the file finished. */
  crash?: CrashRecord
  /** Set when the file ran in a shared process (isolate: false). */
  shared?: SharedRun
  /** The heaviest processes of its tree when the tree peaked, when it had subprocesses then. */
  treePeakProcesses?: PeakProcess[]
  /** Tests during which its subprocesses held memory: test id → the tree's peak while it ran. */
  testTreePeaks?: Record<string, number>
}

/** Where a file ran in a shared process, and what that process held and kept around it. */
export interface SharedRun extends Partial<SharedFileFigures> {
  /** The process's number in this run (1, 2, …): files with the same number shared a process. */
  process: number
  /** 1-based place of the file among the files of its process. */
  order: number
  /** The file that ran just before it in the same process (relative path), or null. */
  previousFile: string | null
  /** RSS when the file started (read by the process itself, else by the pool). */
  startRssBytes: number
}

/** A shared process the pool replaced because of what it held after a file. */
export interface RecycleRecord {
  /** Epoch milliseconds. */
  at: number
  project: string
  process: number
  pid: number
  rssBytes: number
  thresholdBytes: number
  /** The files it ran, in order (relative paths). */
  files: string[]
}

/** What the pool decided about a file's tags before starting it (or not). */
export interface FileTagging {
  /** The file's tags: Vitest's `@module-tag` comments plus `memory_intensive` from a glob or the history. */
  tags: string[]
  /** Why it is memory_intensive: "comment", "glob <pattern>", "history: 1.80 GB on 2026-11-20"; null if it is not. */
  tagSource: string | null
  /** Set when the file was never started: why. */
  skipReason: string | null
  /** Tagged from the history by its last run alone (the run before was under the threshold). */
  newly?: boolean
}

/** What is known about a file whose process died: plain data, it goes into the JSON report. */
export interface CrashRecord {
  /** `killed` by the pool's hard limit, `crash` for any other death, `aborted` when the runner was stopped. */
  state: 'crash' | 'killed' | 'aborted'
  cause: CrashCause | 'runner-aborted'
  signal: string | null
  exitCode: number | null
  /** The likely cause and what to try, as shown on the failed file. */
  explanation: string
  fix: string
  /** "<pid> <command>" of the heaviest process in the tree ("<pid> the test file's own process" for the file's), when the limit killed it. */
  heaviest?: string
}

/** A file of the run's queue, in the order Vitest starts them (recorded by MemorySequencer). */
export interface QueuedFile {
  /** `${project}\0${file}` */
  key: string
  project: string
  /** The test environment the file asks for (its comment, else the project's). */
  environment: string
}

/** A test file's process the pool started and has not seen exit: killed if the runner is stopped. */
export interface LiveWorker {
  /** Kills the process tree at once (synchronously) and says what it was running. */
  abort(signal: NodeJS.Signals): { file: string, pid: number, treeRssBytes: number | null, runningMs: number } | null
}

export interface SharedState {
  /** Options given by memoryPool() in the config, by pool name. */
  configOptions: MemoryPoolOptions | null
  /** Options given on the vitest-memory command line. */
  cliOptions: MemoryPoolOptions
  /** Measurements of the current run, by `${project}\0${file}`. */
  measurements: Map<string, FileMeasurement>
  /** Tags of the current run's files (and why a file was not started), same keys. */
  tagging: Map<string, FileTagging>
  /** Every test file process alive now, across pools and projects. */
  liveWorkers: Set<LiveWorker>
  /** The flight recorder of the current run, opened by the first worker. */
  journal: Journal | null
  /** Set when this run's journal could not be opened (said once; fails the run when asked for). */
  journalFailure: { askedFor: boolean } | null
  /** Set once the runner got SIGTERM/SIGINT: deaths after that are not crashes. */
  aborting: NodeJS.Signals | null
  /** The current run's files in start order, when the sequencer recorded it. */
  queue?: QueuedFile[]
  /** Files of the current run handed to a process, by `${project}\0${file}`: the others never ran (--bail, cancel). */
  startedFiles: Set<string>
  /** Shared processes (isolate: false) started in this run: numbers them. */
  sharedProcesses?: number
  /** Shared processes replaced in this run because of what they held. */
  recycles?: RecycleRecord[]
  /** The report path this run holds (report.<pid>.json when another run held the usual one), from run start to its end. */
  reportClaim?: ReportClaim | null
}

const KEY = Symbol.for('vitest-memory.state')

export function sharedState(): SharedState {
  const holder = globalThis as { [KEY]?: SharedState }
  holder[KEY] ??= { configOptions: null, cliOptions: {}, measurements: new Map(), tagging: new Map(), startedFiles: new Set(), liveWorkers: new Set(), journal: null, journalFailure: null, aborting: null }
  return holder[KEY]
}

export function measurementKey(project: string, file: string): string {
  return `${project}\0${file}`
}
