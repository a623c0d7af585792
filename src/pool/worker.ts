// The PoolWorker transport Vitest talks to. Two lifecycles behind one transport:
// - per file (isolate: true, the default): a fresh test process for the file, stopped after it;
// - shared (isolate: false): one process runs the files one after another, as Vitest's own forks
//   pool does without isolation, and is replaced when it dies or holds too much (recycling).
// Either way each file is admitted, watched (hard limit, journal, crash) and measured on its own:
// a batch of files Vitest sends in one request is split into one request per file here.
//
// The process is started when a file is handed over, not when Vitest calls start(): Vitest's
// `start` request is answered here and replayed to each process, so a file the pool decides not
// to run never costs a process, and the events Vitest sees can be shaped (a crash becomes a failed
// file instead of "Worker exited unexpectedly").
import { EventEmitter } from 'node:events'
import { relative } from 'node:path'
import type { PoolOptions, PoolWorker, WorkerRequest } from 'vitest/node'
import { hasProcfs, resetPeak } from '../measure/procfs.js'
import { runTimeline } from '../measure/run-timeline.js'
import type { OwnPeak } from '../measure/self.js'
import type { ResolvedMemoryOptions } from '../options.js'
import type { Ticket } from '../policy/admission.js'
import { readAnnotations } from '../policy/annotations.js'
import { budgetFor, type FileBudget } from '../policy/budget.js'
import { LIMIT_SAMPLE_INTERVAL_MS, limitFor } from '../policy/limit.js'
import { attachMeasurement } from '../record/task-meta.js'
import { fileVerdict } from '../record/verdict-annotations.js'
import { runScheduling } from '../schedule/run-scheduling.js'
import { measurementKey, sharedState, type FileMeasurement, type LiveWorker } from '../state.js'
import { cancelFilesInVitest, fileStateInVitest, isCancelling } from '../vitest-adapter.js'
import { ensureRunJournal } from './abort.js'
import { peakProfileSettings } from './child-launch.js'
import type { ChildFilePeak } from './child.js'
import { FileWatch } from './file-watch.js'
import { sameEnvironment, SharedLifecycle, type TaskEnvironment } from './shared-lifecycle.js'
import { preloadedEnvironment } from './spares.js'
import { skipBeforeStart } from './tag-gate.js'
import { TestProcess } from './test-process.js'

type StartRequest = Extract<WorkerRequest, { type: 'start' }>
type FileRequest = Extract<WorkerRequest, { type: 'run' | 'collect' }>
/** What Vitest is told when a request is done: `testfileFinished`, with an error or not. */
type FinishedMessage = Record<string, unknown>

interface RunningFile {
  file: string
  relativeFile: string
  startedAt: number
  budget: FileBudget | null
  /** Watches the hard limit, writes the journal's samples, and turns a death into a failed file. */
  watch: FileWatch
}

const response = (body: Record<string, unknown>) => ({ __vitest_worker_response__: true, ...body })

export class MemoryPoolWorker implements PoolWorker, LiveWorker {
  readonly cacheFs = true
  /** What Vitest listens to; process events are forwarded here. */
  private readonly events = new EventEmitter()
  private process: TestProcess | undefined
  private startRequest: StartRequest | undefined
  /** Messages Vitest sent before there was a process to send them to. */
  private pending: unknown[] = []
  private running: RunningFile | undefined
  /** Resolves the request in flight on the process with the message Vitest is to get. */
  private settle: ((message: FinishedMessage) => void) | undefined
  /** The file's admission under --max-memory, held until it finishes (per file: until the process is gone). */
  private ticket: Ticket | undefined
  /** Set for isolate: false: the process outlives the file. */
  private readonly shared: SharedLifecycle | null

  constructor(
    readonly name: string,
    private readonly options: PoolOptions,
    private readonly resolved: ResolvedMemoryOptions,
  ) {
    const project = options.project
    this.shared = project.config.isolate === false
      ? new SharedLifecycle(resolved, Number(project.config.maxWorkers || project.vitest.config.maxWorkers || 1), project.name)
      : null
  }

  on(event: string, callback: (...args: any[]) => void): void {
    this.events.on(event, callback)
  }

  off(event: string, callback: (...args: any[]) => void): void {
    this.events.off(event, callback)
  }

  deserialize(data: unknown): unknown {
    return data
  }

  /** Nothing is spawned yet: the process is started when a file is handed over. */
  async start(): Promise<void> {}

  /**
   * isolate: false only: Vitest may hand this worker the next file when its environment is the
   * one the process was set up with. A process keeps its environment for life; never swapped.
   */
  canReuse(task: { context: { environment: TaskEnvironment } }): boolean {
    return this.shared !== null && sameEnvironment(task.context.environment, this.options.environment as TaskEnvironment)
  }

  send(message: WorkerRequest): void {
    const request = message as { __vitest_worker_request__?: boolean, type?: string }
    if (request.__vitest_worker_request__) {
      switch (request.type) {
        case 'start':
          this.startRequest = message as StartRequest
          queueMicrotask(() => this.emitMessage(response({ type: 'started' })))
          return
        case 'run':
        case 'collect':
          void this.runRequest(message as FileRequest).then(done => this.emitMessage(done))
          return
        case 'stop':
          if (!this.process?.alive) {
            queueMicrotask(() => this.emitMessage(response({ type: 'stopped' })))
            return
          }
          this.process.stopping = true
          break
      }
    }
    this.forward(message)
  }

  async stop(): Promise<void> {
    const process = this.process
    this.process = undefined
    if (process) {
      await process.stop()
      this.shared?.processEnded(process.pid)
      sharedState().liveWorkers.delete(this)
    }
    // Only now is the file's memory given back: under --max-memory the next file may use it.
    this.releaseTicket()
  }

  /** The runner is being stopped (SIGTERM/SIGINT): kill the tree now, synchronously. */
  abort(signal: NodeJS.Signals) {
    const process = this.process
    if (!process) return null
    process.stopping = true
    process.sampler.stop()
    process.kill()
    return this.running?.watch.abort(signal) ?? null
  }

  /** One file per process request: Vitest's batch (isolate: false, one worker) is split here. */
  private async runRequest(request: FileRequest): Promise<FinishedMessage> {
    const specs = request.context.files
    if (!this.shared || specs.length <= 1) return this.afterFile(await this.runFile(request))
    let firstError: unknown
    for (const [index, spec] of specs.entries()) {
      // --bail or a cancel: the files not yet started stay unstarted, as with Vitest's own pool.
      if (isCancelling(this.options.project.vitest)) {
        await cancelFilesInVitest(this.options.project, specs.slice(index))
        break
      }
      const done = this.afterFile(await this.runFile({ ...request, context: { ...request.context, files: [spec] } }))
      if (done.error) {
        if (firstError) this.options.project.vitest.state.catchError(done.error, 'Test Run Error')
        else firstError = done.error
      }
    }
    return response({ type: 'testfileFinished', ...(firstError ? { error: firstError } : {}) })
  }

  /** Runs one file on the current process (started if there is none); resolves when it is done. */
  private async runFile(request: FileRequest): Promise<FinishedMessage> {
    const file = request.context.files[0]?.filepath
    try {
      if (await skipBeforeStart(request, this.options.project, this.resolved)) return response({ type: 'testfileFinished' })
    } catch (error) {
      return response({ type: 'testfileFinished', error: serializeError(error) })
    }
    const scheduling = runScheduling(this.resolved, this.options.project.vitest.logger, { maxWorkers: this.options.project.config.maxWorkers, distPath: this.options.distPath })
    if (request.type === 'run' && file && scheduling.gate) {
      const predicted = scheduling.predict(this.options.project.name, toPosix(relative(this.options.project.config.root, file)))
      this.ticket = await scheduling.gate.admit(predicted, () => this.process?.sampler.last?.treeRssBytes ?? 0)
    }
    if (request.type === 'run' && file) this.beginFile(file)
    const watch = this.running?.watch
    const finished = new Promise<FinishedMessage>(done => this.settle = done)
    let process: TestProcess
    try {
      process = this.ensureProcess(file, scheduling.spares)
      watch?.booting(process.pid)
      await process.ready
    } catch (error) {
      // A process that died while starting is reported by the file's watch, as a failed file.
      if (watch?.handlesDeath) return finished
      this.settle = undefined
      this.running = undefined
      this.releaseTicket()
      const serialized = serializeError(error)
      const where = file ? ` for ${toPosix(relative(this.options.project.config.root, file))}` : ''
      return response({ type: 'testfileFinished', error: { ...serialized, message: `[vitest-memory]: the test process${where} failed to start: ${serialized.message}` } })
    }
    if (this.running) this.handOver(this.running, process)
    process.send(request)
    return finished
  }

  /** Shared: the file's ticket is given back and the process replaced if it holds too much. */
  private afterFile(done: FinishedMessage): FinishedMessage {
    if (!this.shared) return done
    this.releaseTicket()
    const process = this.process
    const figures = (done.vitestMemory as Partial<ChildFilePeak> | undefined)?.shared
    if (process?.alive && this.shared.recycleAfter(process.pid, figures?.endRssBytes ?? null)) {
      this.process = undefined
      // Ended in the background (SIGTERM, SIGKILL after a grace period): the next file starts on
      // a spare or a fresh process at once.
      void process.stop().then(() => this.process || sharedState().liveWorkers.delete(this))
    }
    return done
  }

  /**
   * The file's time and peak start now, whether the process was started for it, booted ahead as
   * a spare, or ran other files before: the same rule for all, so the figures agree.
   */
  private handOver(running: RunningFile, process: TestProcess): void {
    const pid = process.pid
    if (hasProcfs()) resetPeak(pid)
    process.sampler.reset()
    const limited = running.watch.limit != null
    process.sampler.setInterval(limited ? Math.min(this.resolved.sampleIntervalMs, LIMIT_SAMPLE_INTERVAL_MS) : this.resolved.sampleIntervalMs)
    if (this.shared) running.watch.shared = this.shared.placeFile(pid, running.relativeFile)
    running.startedAt = Date.now()
    running.watch.started(pid, process.sampler)
    runTimeline().begin(this, this.options.project.name, running.file, running.startedAt)
  }

  /** The live process, or a new one (a spare when one is waiting) that is sent Vitest's start request. */
  private ensureProcess(file: string | undefined, spares: ReturnType<typeof runScheduling>['spares']): TestProcess {
    if (this.process?.alive) return this.process
    ensureRunJournal(this.options.project.vitest, this.resolved)
    const process = new TestProcess({
      pool: this.options,
      resolved: this.resolved,
      startRequest: this.startRequest,
      pending: this.pending.splice(0),
      file,
      shared: this.shared !== null,
      spares,
      // A shared process is replaced only when it is recycled or dies: a spare then helps.
      refillSpares: !this.shared || this.shared.recycleAboveBytes != null,
      sampleIntervalMs: this.resolved.sampleIntervalMs,
    }, {
      message: message => this.onProcessMessage(process, message),
      sample: (sample) => {
        this.running?.watch.sample(sample)
        runTimeline().update(this, sample.treeRssBytes)
      },
      stderr: chunk => this.running?.watch.stderr(chunk),
      error: error => this.events.emit('error', error),
      startTimedOut: (detail) => {
        if (!this.running) return false
        this.running.watch.startTimedOut(detail)
        return true
      },
      exited: (code, signal, closed) => this.onProcessExit(process, code, signal, closed),
    })
    this.process = process
    sharedState().liveWorkers.add(this)
    return process
  }

  /** IPC keeps order, so anything sent after the start request reaches the process after it. */
  private forward(message: unknown): void {
    if (this.process?.alive) this.process.send(message)
    else this.pending.push(message)
  }

  private emitMessage(message: unknown): void {
    this.events.emit('message', message)
  }

  private onProcessMessage(process: TestProcess, message: any): void {
    if (process !== this.process) return // a recycled process being stopped: nothing Vitest waits for
    if (message?.__vitest_worker_response__ && message.type === 'testfileFinished') {
      this.finishFile(message.vitestMemory)
      const settle = this.settle
      this.settle = undefined
      settle?.(message)
      return
    }
    this.emitMessage(message)
  }

  /**
   * Vitest is never told about the exit ("Worker exited unexpectedly" names nothing): a death
   * mid-file becomes that file's failure; a shared worker's next file gets a fresh process.
   */
  private onProcessExit(process: TestProcess, code: number | null, signal: NodeJS.Signals | null, closed: Promise<void>): void {
    this.shared?.processEnded(process.pid)
    if (process !== this.process) return
    this.process = undefined
    runTimeline().end(this)
    sharedState().liveWorkers.delete(this)
    this.releaseTicket()
    if (sharedState().aborting) return
    const running = this.running
    this.running = undefined
    const settle = this.settle
    this.settle = undefined
    const died = running?.watch.died(code, signal, closed)
    void (died ?? closed).then(() => settle?.(response({
      type: 'testfileFinished',
      // Not a file of ours (a collect request): Vitest must still hear why it ended.
      ...(running ? {} : { error: serializeError(new Error(`vitest-memory: the test process exited (${signal ?? `code ${code}`}) before it finished`)) }),
    })))
  }

  private beginFile(file: string): void {
    const root = this.options.project.config.root
    const relativeFile = toPosix(relative(root, file))
    const annotations = readAnnotations(file)
    const budget = budgetFor(relativeFile, annotations, this.resolved)
    const limit = limitFor(relativeFile, annotations, this.resolved)
    const startedAt = Date.now()
    const watch = new FileWatch(this.options.project, file, relativeFile, startedAt, budget, limit, this.resolved.annotations, peakProfileSettings(this.resolved, root)?.dir)
    this.running = { file, relativeFile, startedAt, budget, watch }
    sharedState().startedFiles.add(measurementKey(this.options.project.name, file))
  }

  /** Stores the file's measurement before Vitest learns that the file finished. */
  private finishFile(own: (OwnPeak & Partial<ChildFilePeak>) | undefined): void {
    const process = this.process
    if (!this.running || !process) return
    process.sampler.sampleNow()
    const peak = own?.peakRssBytes ?? null
    const treePeak = Math.max(process.sampler.treePeakBytes, peak ?? 0) || null
    const { file, startedAt, budget, watch } = this.running
    const project = this.options.project.name
    const shared = watch.shared ? SharedLifecycle.withFigures(watch.shared, own?.shared) : null
    if (shared) watch.shared = shared
    const measurement: FileMeasurement = {
      file,
      project,
      pid: process.pid,
      method: own?.method ?? 'getrusage',
      peakRssBytes: peak,
      treePeakRssBytes: treePeak,
      durationMs: Date.now() - startedAt,
      startedAt,
      budgetBytes: budget?.bytes ?? null,
      budgetSource: budget?.source ?? null,
      setupPeakRssBytes: own?.setupPeakRssBytes ?? null,
      testPeakMethod: own?.testPeakMethod ?? null,
      profilePath: process.launch.profilePath,
      preloadedEnvironment: preloadedEnvironment(process.child),
      ...watch.limitFields(),
      ...(shared ? { shared } : {}),
    }
    sharedState().measurements.set(measurementKey(project, file), measurement)
    const verdict = this.resolved.annotations ? fileVerdict(measurement, this.resolved.budgetMode) : null
    attachMeasurement(this.options.project.vitest, measurement, runTimeline(), verdict)
    runTimeline().end(this)
    watch.finished(measurement, fileStateInVitest(this.options.project, file))
    this.running = undefined
    // Per file, the ticket is kept: the process holds its memory until Vitest stops it (right after this).
  }

  private releaseTicket(): void {
    this.ticket?.release()
    this.ticket = undefined
  }
}

function serializeError(error: unknown): { name: string, message: string, stack?: string } {
  // Already serialized by Vitest's worker (a failed start): keep its own stack.
  if (!(error instanceof Error) && typeof (error as { message?: unknown })?.message === 'string') return error as { name: string, message: string, stack?: string }
  const e = error instanceof Error ? error : new Error(String((error as { message?: string })?.message ?? error))
  return { name: e.name, message: e.message, stack: e.stack }
}

export function toPosix(path: string): string {
  return path.split('\\').join('/')
}
