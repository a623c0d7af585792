// The orchestrator's ports: what worker.ts and file-watch.ts need from outside themselves (a
// process factory, a sink for the run's state and for Vitest, the machine's readings, a clock).
// Types only; the production wiring is worker-deps.ts, the fakes are in test/fakes/orchestrator.ts (driven by test/worker.test.ts).
import type { PoolOptions, TestProject, Vitest, WorkerRequest } from 'vitest/node'
import type { TreeSample, TreeSampler } from '../measure/sampler.js'
import type { FileMeasurement } from '../model.js'
import type { ResolvedMemoryOptions } from '../options.js'
import type { JournalEntry } from '../record/journal.js'
import type { VerdictAnnotation } from '../record/verdict-annotations.js'
import type { LiveWorker, RunScheduling } from '../run-session.js'
import type { SerializedError } from '../vitest-internals/tasks.js'
import type { RunShape } from './run-scheduling.js'
import type { SpareProcesses } from './spares.js'

type FileRequest = Extract<WorkerRequest, { type: 'run' | 'collect' }>
type FileSpec = FileRequest['context']['files'][number]

/** What the worker hears from its process. */
export interface ProcessEvents {
  /** Every message but the start answer: Vitest's RPC from the first byte on, and its responses. */
  message(message: any): void
  sample(sample: TreeSample): void
  stderr(chunk: Buffer): void
  /** An IPC error that is not the channel closing under a dying process. */
  error(error: Error): void
  /**
   * The process did not finish starting in time and is killed next. Returns true when the file
   * waiting on it reports the death itself; otherwise `ready` rejects with the reason.
   */
  startTimedOut(detail: string): boolean
  /** The process exited on its own (not stopped by the pool); `closed` resolves once its pipes are drained. */
  exited(code: number | null, signal: NodeJS.Signals | null, closed: Promise<void>): void
}

export interface BootOptions {
  pool: PoolOptions
  resolved: ResolvedMemoryOptions
  /** Vitest's start request, replayed to the process (with the pool's setup file added). */
  startRequest: unknown
  /** Messages Vitest sent before there was a process to send them to. */
  pending: unknown[]
  /** The file it is booted for (names its heap profile), or undefined. */
  file: string | undefined
  shared: boolean
  spares: SpareProcesses | null
  /** Boot a replacement spare at once (false: take one if it is there, start none). */
  refillSpares: boolean
  sampleIntervalMs: number
  /** vm mode: Vitest's vm worker runtime instead of its forks worker (vm-mode.ts). */
  vm?: boolean
}

/** What the worker and a file's watch read of a process's tree samples. */
export type ProcessSampler = Pick<
  TreeSampler,
  'last' | 'treePeakBytes' | 'rootPeakBytes' | 'peakProcesses' | 'seen' | 'reset' | 'sampleNow' | 'setInterval' | 'stop'
>

/** One test process as the worker drives it (test-process.ts; a fake in the unit tests). */
export interface PoolProcess {
  readonly pid: number
  /** False before start() has forked, and once the process exited. */
  readonly alive: boolean
  /** Resolves when the process answered Vitest's start request; set by start(). */
  readonly ready: Promise<void>
  stopping: boolean
  readonly sampler: ProcessSampler
  /** The tree's RSS at the last sample; 0 before start() has forked (the admission gate asks any time). */
  readonly treeRssBytes: number
  readonly launch: { profilePath: string | null }
  /** The environment a spare loaded ahead, or null. */
  readonly preloadedEnvironment: string | null
  /** Boots the process (a spare or a fork), wires its events, arms the start timeout. */
  start(): Promise<void>
  send(message: unknown): void
  /** Boots one spare for this process's successor (a shared process nearing its recycle), where spares are kept. */
  bootSuccessor(): void
  /** Kills the process tree at once. */
  kill(): void
  /** SIGTERM, SIGKILL after a grace period; resolves when it is gone. */
  stop(): Promise<void>
}

export type ProcessFactory = (options: BootOptions, events: ProcessEvents) => PoolProcess

/** The run's state as the orchestrator writes and reads it. */
export interface RunSink {
  /** Opens the run's journal when no one has yet (the first process of the run). */
  openJournal(vitest: Vitest, resolved: ResolvedMemoryOptions): void
  journal(entry: JournalEntry): void
  /** A file was handed to a process (the others never ran). */
  fileStarted(project: string, file: string): void
  measured(measurement: FileMeasurement): void
  /** A worker has a live process now (killed if the runner is stopped) / has none any more. */
  live(worker: LiveWorker): void
  gone(worker: LiveWorker): void
  /** The runner got SIGTERM/SIGINT: deaths after that are not crashes. */
  aborting(): NodeJS.Signals | null
  scheduling(resolved: ResolvedMemoryOptions, logger: Vitest['logger'], shape: RunShape): RunScheduling
  timeline: {
    begin(key: object, project: string, file: string, at: number): void
    update(key: object, rssBytes: number): void
    end(key: object): void
  }
}

/** What the orchestrator tells Vitest, and asks it, besides the worker's messages. */
export interface VitestSink {
  isCancelling(project: TestProject): boolean
  cancelFiles(project: TestProject, files: FileSpec[]): Promise<void>
  /** The tag and annotation gates: true when the file is settled without a process. */
  skipBeforeStart(request: FileRequest, project: TestProject, resolved: ResolvedMemoryOptions): Promise<boolean>
  /** A file whose process could not start, failed in Vitest; false when Vitest's state could not take it. */
  failNotStarted(project: TestProject, file: string, relativeFile: string, error: { name?: string; message: string; stack?: string }): Promise<boolean>
  failFile(project: TestProject, file: string, error: SerializedError, durationMs: number): Promise<void>
  failFinishedFile(project: TestProject, file: string, error: SerializedError): Promise<void>
  bail(project: TestProject): void
  fileState(project: TestProject, file: string): string
  startTest(project: TestProject, testId: string, at: number): Promise<void>
  catchError(vitest: Vitest, error: unknown, type: string): void
  attachMeasurement(vitest: Vitest, measurement: FileMeasurement, annotation?: VerdictAnnotation | null): void
  /** A killed file's verdict, on its File task. */
  annotateFile(project: TestProject, file: string, annotation: VerdictAnnotation | null): void
}

/** The machine's readings the orchestrator takes itself (the sampler takes the rest). */
export interface Machine {
  /** Resets the process's VmHWM, where procfs allows it: a file's peak starts now. */
  resetPeak(pid: number): void
  readCommand(pid: number): string
  /** The kernel's OOM-kill count (recent ones only in a shared process), or null. */
  oomKills(shared: boolean): number | null
  /** What the machine (or its cgroup) has. */
  memoryBytes(): number
}

export interface Clock {
  now(): number
}

export interface OrchestratorDeps {
  createProcess: ProcessFactory
  run: RunSink
  vitest: VitestSink
  machine: Machine
  clock: Clock
}
