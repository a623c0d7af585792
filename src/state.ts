// State shared by the pool, the reporter and the CLI. Vitest loads the config (and so the pool)
// and the reporters through different module graphs, so a module-level variable would be seen
// by only one of them: the state lives on globalThis under a registered symbol instead.
import type { FileMeasurement, FileTagging, QueuedFile, RecycleRecord } from './model.js'
import type { MemoryPoolOptions } from './options.js'
import type { Journal } from './record/journal.js'
import type { ReportClaim } from './record/report-claim.js'

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
