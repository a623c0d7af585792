// In-memory fakes of the orchestrator's ports (src/pool/worker-ports.ts), as rstest tests its pool
// runner against a fake worker: a process the test drives (messages, samples, exits on command), a
// run sink and a Vitest sink that record what the pool told them, a machine and a clock. Nothing
// here spawns a process, reads procfs or waits on a real timer.
import type { FileMeasurement } from '../../src/model.js'
import type { TreeSample } from '../../src/measure/sampler.js'
import type { AdmissionGate } from '../../src/policy/admission.js'
import { resolveOptions, type MemoryPoolOptions, type ResolvedMemoryOptions } from '../../src/options.js'
import { isWorkerRequest, response } from '../../src/pool/protocol.js'
import type { SpareProcesses } from '../../src/pool/spares.js'
import type { BootOptions, OrchestratorDeps, PoolProcess, ProcessEvents, ProcessSampler } from '../../src/pool/worker-ports.js'
import type { JournalEntry } from '../../src/record/journal.js'
import type { LiveWorker, RunScheduling } from '../../src/run-session.js'
import type { SerializedError } from '../../src/vitest-internals/tasks.js'

/** Far above any pid the kernel hands out here by default: procfs reads of it find nothing. */
const FIRST_FAKE_PID = 4_000_001

export const ROOT = '/virtual/project'
export const fileAt = (name: string) => `${ROOT}/test/${name}`

export class FakeClock {
  constructor(public at = 1_000_000) {}
  now = () => this.at
  advance(ms: number): void {
    this.at += ms
  }
}

class FakeSampler implements ProcessSampler {
  last: TreeSample | null = null
  treePeakBytes = 0
  rootPeakBytes = 0
  peakProcesses = null
  readonly seen = new Map()
  intervals: number[] = []
  stopped = false
  reset(): void {
    this.treePeakBytes = 0
    this.rootPeakBytes = 0
  }
  sampleNow(): TreeSample | null {
    return this.last
  }
  setInterval(ms: number): void {
    this.intervals.push(ms)
  }
  stop(): void {
    this.stopped = true
  }
  record(sample: TreeSample): void {
    this.last = sample
    this.treePeakBytes = Math.max(this.treePeakBytes, sample.treeRssBytes)
    this.rootPeakBytes = Math.max(this.rootPeakBytes, sample.rootHwmBytes)
  }
}

type FileRequestMessage = { type: 'run' | 'collect'; context: { files: { filepath: string }[] } } & Record<string, unknown>

/** One test process the test drives: it answers its start request when told (or at once), and emits on command. */
export class FakeProcess implements PoolProcess {
  alive = false
  stopping = false
  started = false
  killed = false
  stopped = false
  private readonly treeSampler = new FakeSampler()
  readonly launch = { profilePath: null }
  preloadedEnvironment: string | null = null
  /** Everything the pool sent, in order (the start request first). */
  readonly sent: unknown[] = []
  readonly ready: Promise<void>
  private answer!: { ready: () => void; failed: (error: unknown) => void }
  private requestWaiters: ((request: FileRequestMessage) => void)[] = []
  private unclaimed: FileRequestMessage[] = []

  constructor(
    readonly pid: number,
    readonly options: BootOptions,
    readonly events: ProcessEvents,
    private readonly clock: FakeClock,
    private readonly autoStart: boolean,
    /** Runs inside start(), before the process is booted (where TestProcess refills the spares). */
    private readonly duringStart: (() => void) | null,
  ) {
    this.ready = new Promise<void>((ready, failed) => {
      this.answer = { ready, failed }
    })
    this.ready.catch(() => {})
  }

  /** As TestProcess: there is no sampler before start() (its fork makes it). */
  get sampler(): FakeSampler {
    if (!this.started) throw new Error('FakeProcess: the test process was not started (start() first)')
    return this.treeSampler
  }

  /** As TestProcess: the last tree RSS sampled, 0 before start() forked. */
  get treeRssBytes(): number {
    return this.started ? (this.treeSampler.last?.treeRssBytes ?? 0) : 0
  }

  start(): Promise<void> {
    // As TestProcess: a spare is taken and refilled before the process counts as booted.
    this.duringStart?.()
    this.started = true
    this.alive = true
    this.send(this.options.startRequest)
    for (const queued of this.options.pending) this.send(queued)
    if (this.autoStart) this.answerStart()
    return this.ready
  }

  /** How often the pool asked for a spare for this process's successor. */
  successorsBooted = 0

  bootSuccessor(): void {
    this.successorsBooted++
  }

  /** The process answered Vitest's start request. */
  answerStart(): void {
    this.answer.ready()
  }

  failStart(error: unknown): void {
    this.answer.failed(error)
  }

  send(message: unknown): void {
    this.sent.push(message)
    if (!isWorkerRequest(message, 'run', 'collect')) return
    const waiter = this.requestWaiters.shift()
    if (waiter) waiter(message as FileRequestMessage)
    else this.unclaimed.push(message as FileRequestMessage)
  }

  /** The next run/collect request the pool sends (or the first one it sent and no one took yet). */
  nextRequest(): Promise<FileRequestMessage> {
    const sent = this.unclaimed.shift()
    if (sent) return Promise.resolve(sent)
    return new Promise(done => this.requestWaiters.push(done))
  }

  /** A message from the process (Vitest's RPC, or one of the pool's marks). */
  emit(message: unknown): void {
    this.events.message(message)
  }

  /** The file is done: Vitest's worker answers with `testfileFinished`, the child's figures on it. */
  finish(vitestMemory: Record<string, unknown> = { peakRssBytes: 50_000_000, method: 'procfs' }): void {
    this.emit(response({ type: 'testfileFinished', vitestMemory }))
  }

  /** A tree sample, taken now by the fake clock. */
  sample(treeRssBytes: number, rootRssBytes = treeRssBytes): TreeSample {
    const sample: TreeSample = { at: this.clock.now(), rootRssBytes, rootHwmBytes: rootRssBytes, treeRssBytes, heaviestChild: null }
    this.sampler.record(sample)
    this.events.sample(sample)
    return sample
  }

  /** The process dies on its own (or by a signal the pool did not send to stop it). */
  exit(code: number | null, signal: NodeJS.Signals | null): void {
    if (!this.alive) return
    this.alive = false
    // As TestProcess: an exit the pool asked for (stop, abort) is not reported.
    if (!this.stopping) this.events.exited(code, signal, Promise.resolve())
  }

  /** As the kernel does for a SIGKILL to the tree: the process is gone a moment later. */
  kill(): void {
    this.killed = true
    queueMicrotask(() => this.exit(null, 'SIGKILL'))
  }

  async stop(): Promise<void> {
    this.stopping = true
    this.stopped = true
    this.alive = false
  }

  /** The file requests this process was sent. */
  requests(): FileRequestMessage[] {
    return this.sent.filter(message => isWorkerRequest(message, 'run', 'collect')) as FileRequestMessage[]
  }
}

/** Makes FakeProcesses and keeps them, in creation order. */
export class FakeProcessFactory {
  readonly processes: FakeProcess[] = []
  /** Boot options of each process, as the pool asked for it. */
  readonly boots: BootOptions[] = []
  /** false: each process waits for answerStart() (a slow boot). */
  autoStart = true
  /** Set on the next process (a spare that loaded this environment ahead). */
  preloadedEnvironment: string | null = null
  /** Runs inside each process's start(), before it is booted. */
  duringStart: (() => void) | null = null
  private waiters: { n: number; done: (process: FakeProcess) => void }[] = []

  constructor(private readonly clock: FakeClock) {}

  readonly create = (options: BootOptions, events: ProcessEvents): FakeProcess => {
    const process = new FakeProcess(FIRST_FAKE_PID + this.processes.length, options, events, this.clock, this.autoStart, this.duringStart)
    process.preloadedEnvironment = this.preloadedEnvironment
    this.processes.push(process)
    this.boots.push(options)
    const n = this.processes.length - 1
    for (const waiter of this.waiters.filter(w => w.n === n)) waiter.done(process)
    this.waiters = this.waiters.filter(w => w.n !== n)
    return process
  }

  /** The n-th process (0-based), once the pool created it. */
  process(n: number): Promise<FakeProcess> {
    const made = this.processes[n]
    if (made) return Promise.resolve(made)
    return new Promise(done => this.waiters.push({ n, done }))
  }
}

/** The run's state as the pool wrote it. */
export class FakeRunSink {
  readonly journalEntries: JournalEntry[] = []
  readonly measurements: FileMeasurement[] = []
  readonly startedFiles: string[] = []
  readonly liveWorkers = new Set<LiveWorker>()
  journalsOpened = 0
  abortingSignal: NodeJS.Signals | null = null
  readonly timelineEvents: string[] = []
  spares: SpareProcesses | null = null
  readonly scheduling: RunScheduling = { gate: null, spares: null, predict: () => 0, end: () => {} }
  /** What the run's --max-memory gate reads of each admitted file: its tree's RSS now. */
  readonly admitted: (() => number)[] = []

  /** Turns on a --max-memory gate that admits every file at once and keeps what it reads of them. */
  withGate(): void {
    this.scheduling.gate = {
      admit: async (_predicted: number, currentBytes: () => number) => {
        this.admitted.push(currentBytes)
        return { release() {} }
      },
    } as unknown as AdmissionGate
  }

  sink(): OrchestratorDeps['run'] {
    return {
      openJournal: () => {
        this.journalsOpened++
      },
      journal: entry => this.journalEntries.push(entry),
      fileStarted: (_project, file) => this.startedFiles.push(file),
      measured: measurement => this.measurements.push(measurement),
      live: worker => this.liveWorkers.add(worker),
      gone: worker => this.liveWorkers.delete(worker),
      aborting: () => this.abortingSignal,
      scheduling: () => ({ ...this.scheduling, spares: this.spares }),
      timeline: {
        begin: (_key, _project, file) => this.timelineEvents.push(`begin ${file}`),
        update: () => {},
        end: () => this.timelineEvents.push('end'),
      },
    }
  }

  /** The journal's entries of one type. */
  entries<T extends JournalEntry['t']>(t: T): Extract<JournalEntry, { t: T }>[] {
    return this.journalEntries.filter(entry => entry.t === t) as Extract<JournalEntry, { t: T }>[]
  }
}

/** What the pool told Vitest besides the worker's messages. */
export class FakeVitestSink {
  readonly failed: { file: string; error: SerializedError; durationMs: number }[] = []
  readonly failedFinished: { file: string; error: SerializedError }[] = []
  readonly attached: FileMeasurement[] = []
  readonly cancelled: string[] = []
  readonly caught: unknown[] = []
  readonly startedTests: string[] = []
  readonly notStarted: { file: string; relativeFile: string; message: string }[] = []
  /** false: Vitest's state cannot take a file that never started (the error then rides on the answer). */
  takesNotStarted = true
  cancelling = false

  sink(): OrchestratorDeps['vitest'] {
    return {
      isCancelling: () => this.cancelling,
      cancelFiles: async (_project, files) => {
        this.cancelled.push(...files.map(spec => spec.filepath))
      },
      skipBeforeStart: async () => false,
      failNotStarted: async (_project, file, relativeFile, error) => {
        this.notStarted.push({ file, relativeFile, message: error.message })
        return this.takesNotStarted
      },
      failFile: async (_project, file, error, durationMs) => {
        this.failed.push({ file, error, durationMs })
      },
      failFinishedFile: async (_project, file, error) => {
        this.failedFinished.push({ file, error })
      },
      bail: () => {},
      fileState: () => 'pass',
      startTest: async (_project, testId) => {
        this.startedTests.push(testId)
      },
      catchError: (_vitest, error) => this.caught.push(error),
      attachMeasurement: (_vitest, measurement) => this.attached.push(measurement),
      annotateFile: () => {},
    }
  }
}

export class FakeMachine {
  readonly peaksReset: number[] = []
  sink(): OrchestratorDeps['machine'] {
    return {
      resetPeak: pid => this.peaksReset.push(pid),
      readCommand: () => 'node heavy-child.js',
      oomKills: () => 0,
      memoryBytes: () => 16e9,
    }
  }
}

/** Resolved options as the session would give them, without the disk (no history, journal or spares). */
export function options(given: MemoryPoolOptions = {}): ResolvedMemoryOptions {
  return resolveOptions({ history: false, journal: false, spareProcesses: 0, ...given }, {}, {}, ROOT)
}

/** The least of Vitest's PoolOptions the worker reads: its project, environment and dist path. */
export function poolOptions(isolate: boolean, name = 'unit') {
  const project = {
    name,
    config: { root: ROOT, isolate, maxWorkers: 1 },
    vitest: { config: { maxWorkers: 1, watch: false }, logger: { log() {}, warn() {}, error() {} } },
  }
  return { project, environment: { name: 'node', options: null }, distPath: '/virtual/vitest/dist', env: {}, execArgv: [] } as never
}

/** Every fake, wired as OrchestratorDeps. */
export function fakeDeps() {
  const clock = new FakeClock()
  const factory = new FakeProcessFactory(clock)
  const run = new FakeRunSink()
  const vitest = new FakeVitestSink()
  const machine = new FakeMachine()
  const deps: OrchestratorDeps = {
    createProcess: factory.create,
    run: run.sink(),
    vitest: vitest.sink(),
    machine: machine.sink(),
    clock,
  }
  return { clock, factory, run, vitest, machine, deps }
}

/** Lets every pending promise chain run (no timers: setImmediate is never faked here). */
export async function settle(rounds = 5): Promise<void> {
  for (let i = 0; i < rounds; i++) await new Promise(done => setImmediate(done))
}
