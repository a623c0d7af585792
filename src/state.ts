// State shared by the pool, the reporter and the CLI. Vitest loads the config (and so the pool)
// and the reporters through different module graphs, so a module-level variable would be seen
// by only one of them: the state lives on globalThis under a registered symbol instead.
import type { MeasurementMethod } from './measure/self.js'
import type { TestPeakMethod } from './measure/test-peaks.js'
import type { MemoryPoolOptions } from './options.js'
import type { RunScheduling } from './schedule/run-scheduling.js'
import type { CrashCause } from './policy/crash.js'
import type { Journal } from './record/journal.js'

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
  /** The test environment whose library the process (a spare) loaded before the file arrived. */
  preloadedEnvironment?: string | null
  /** The hard limit that applied to this file, and where it came from. */
  limitBytes?: number | null
  limitSource?: string | null
  /** Set when the file's process died (or was killed) before the file finished. */
  crash?: CrashRecord
}

/** What the pool decided about a file's tags before starting it (or not). */
export interface FileTagging {
  /** The file's tags: Vitest's `@module-tag` comments plus `memory_intensive` from a glob or the history. */
  tags: string[]
  /** Why it is memory_intensive: "comment", "glob <pattern>", "history: 1.80 GB on 2026-11-20"; null if it is not. */
  tagSource: string | null
  /** Set when the file was never started: why. */
  skipReason: string | null
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
  /** "<pid> <command>" of the heaviest process in the tree, when the limit killed it. */
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
  /** The admission gate and spare processes of the current run. */
  scheduling?: RunScheduling
  /** Every test file process alive now, across pools and projects. */
  liveWorkers: Set<LiveWorker>
  /** The flight recorder of the current run, opened by the first worker. */
  journal: Journal | null
  /** Set once the runner got SIGTERM/SIGINT: deaths after that are not crashes. */
  aborting: NodeJS.Signals | null
  /** The current run's files in start order, when the sequencer recorded it. */
  queue?: QueuedFile[]
  /** Files of the current run handed to a process, by `${project}\0${file}`: the others never ran (--bail, cancel). */
  startedFiles: Set<string>
}

const KEY = Symbol.for('vitest-memory.state')

export function sharedState(): SharedState {
  const holder = globalThis as { [KEY]?: SharedState }
  holder[KEY] ??= { configOptions: null, cliOptions: {}, measurements: new Map(), tagging: new Map(), startedFiles: new Set(), liveWorkers: new Set(), journal: null, aborting: null }
  return holder[KEY]
}

export function measurementKey(project: string, file: string): string {
  return `${project}\0${file}`
}
