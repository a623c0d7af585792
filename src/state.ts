// State shared by the pool, the reporter and the CLI. Vitest loads the config (and so the pool)
// and the reporters through different module graphs, so a module-level variable would be seen
// by only one of them: the state lives on globalThis under a registered symbol instead.
import type { MeasurementMethod } from './measure/self.js'
import type { MemoryPoolOptions } from './options.js'

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
}

export interface SharedState {
  /** Options given by memoryPool() in the config, by pool name. */
  configOptions: MemoryPoolOptions | null
  /** Options given on the vitest-memory command line. */
  cliOptions: MemoryPoolOptions
  /** Measurements of the current run, by `${project}\0${file}`. */
  measurements: Map<string, FileMeasurement>
  /** Files of the current run handed to a process, by `${project}\0${file}`: the others never ran (--bail, cancel). */
  startedFiles: Set<string>
}

const KEY = Symbol.for('vitest-memory.state')

export function sharedState(): SharedState {
  const holder = globalThis as { [KEY]?: SharedState }
  holder[KEY] ??= { configOptions: null, cliOptions: {}, measurements: new Map(), startedFiles: new Set() }
  return holder[KEY]
}

export function measurementKey(project: string, file: string): string {
  return `${project}\0${file}`
}
