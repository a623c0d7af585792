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
//
// Its lifecycle is one state (worker-lifecycle.ts); what it needs from outside (processes, the
// run's state, Vitest's task state, the clock) comes in as `deps` (worker-ports.ts; wired in worker-deps.ts), so the unit
// tests drive it with fakes.
import { EventEmitter } from 'node:events'
import { relative } from 'node:path'
import type { PoolOptions, PoolWorker, WorkerRequest } from 'vitest/node'
import type { OwnPeak } from '../measure/self.js'
import type { FileMeasurement } from '../model.js'
import type { ResolvedMemoryOptions } from '../options.js'
import type { Ticket } from '../policy/admission.js'
import { verdictAnnotation } from '../record/verdict-annotations.js'
import { fileVerdictText, judgeFile, overBudgetError } from '../policy/verdict.js'
import type { LiveWorker, RunScheduling } from '../run-session.js'
import { filesAtOnce } from './files-at-once.js'
import { runsWhole } from './batch.js'
import type { ChildFilePeak } from './child-state.js'
import {
  batchErrors,
  budgetOf,
  fileMeasurement,
  openRunningFile,
  serializeError,
  toPosix,
  withFiles,
  type FileRequest,
  type FileSpec,
  type FinishedMessage,
  type RunningFile,
  type StartRequest,
} from './running-file.js'
import { sameEnvironment, SharedLifecycle, type TaskEnvironment } from './shared-lifecycle.js'
import { settleVmFile, vmLifecycleThreshold } from './vm-lifecycle.js'
import {
  BATCH_MARK,
  fileBoundary,
  isVmFileStart,
  vmRetainedOf,
  isWorkerResponse,
  JUDGE_MARK,
  response,
  startedTestOf,
  treeNews,
  verdictQueryOf,
  verdictReply,
  type FileBoundary,
  type VerdictQuery,
} from './protocol.js'
import { answerVerdict } from './verdict-answer.js'
import { productionDeps } from './worker-deps.js'
import type { OrchestratorDeps, PoolProcess } from './worker-ports.js'
import { WorkerLifecycle, WorkerState } from './worker-lifecycle.js'

export class MemoryPoolWorker implements PoolWorker, LiveWorker {
  readonly cacheFs = true
  /** What Vitest listens to; process events are forwarded here. */
  private readonly events = new EventEmitter()
  /** Idle → started → booting → ready ⇄ running … → stopping → stopped; start/stop under its lock. */
  readonly lifecycle = new WorkerLifecycle()
  private process: PoolProcess | undefined
  private startRequest: StartRequest | undefined
  /** Messages Vitest sent before there was a process to send them to. */
  private pending: unknown[] = []
  private running: RunningFile | undefined
  /** The last file measured here: in vm mode, what it left arrives once the next file starts (vm-lifecycle.ts). */
  private lastMeasurement: FileMeasurement | undefined
  /** Resolves the request in flight on the process with the message Vitest is to get. */
  private settle: ((message: FinishedMessage) => void) | undefined
  /** The file's admission under --max-memory, held until it finishes (per file: until the process is gone). */
  private ticket: Ticket | undefined
  /** Set for isolate: false: the process outlives the file. */
  private readonly shared: SharedLifecycle | null
  /** A batch running whole on the process: its files not started yet, by path. */
  private batchWaiting: Map<string, FileSpec> | undefined

  constructor(
    readonly name: string,
    private readonly options: PoolOptions,
    private readonly resolved: ResolvedMemoryOptions,
    private readonly deps: OrchestratorDeps = productionDeps,
  ) {
    const project = options.project
    const workers = Number(project.config.maxWorkers || project.vitest.config.maxWorkers || 1)
    this.shared =
      project.config.isolate === false
        ? new SharedLifecycle(resolved, workers, project.name, resolved.vm ? vmLifecycleThreshold(resolved, project, workers) : undefined)
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
  async start(): Promise<void> {
    await this.lifecycle.exclusive(() => {
      if (this.lifecycle.state === WorkerState.Idle) this.lifecycle.to(WorkerState.Started)
      else if (this.lifecycle.closed) throw new Error('vitest-memory: a stopped pool worker cannot start again')
    })
  }

  /**
   * isolate: false only: Vitest may hand this worker the next file when its environment is the
   * one the process was set up with. A process keeps its environment for life; never swapped.
   */
  canReuse(task: { context: { environment: TaskEnvironment } }): boolean {
    return this.shared !== null && sameEnvironment(task.context.environment, this.options.environment as TaskEnvironment)
  }

  send(message: WorkerRequest): void {
    const request = message as { __vitest_worker_request__?: boolean; type?: string }
    if (request.__vitest_worker_request__) {
      switch (request.type) {
        case 'start':
          this.startRequest = message as StartRequest
          queueMicrotask(() => this.emitMessage(response({ type: 'started' })))
          return
        case 'run':
        case 'collect':
          void this.lifecycle.queue(() => this.runRequest(message as FileRequest)).then(done => this.emitMessage(done))
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
    await this.lifecycle.exclusive(async () => {
      if (this.lifecycle.closed) return
      this.lifecycle.to(WorkerState.Stopping)
      const process = this.process
      this.process = undefined
      if (process) {
        await process.stop()
        this.shared?.processEnded(process.pid)
        this.deps.run.gone(this)
      }
      // Only now is the file's memory given back: under --max-memory the next file may use it.
      this.releaseTicket()
      this.lifecycle.to(WorkerState.Stopped)
    })
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

  /**
   * Vitest's batch (isolate: false, one worker) runs whole on the process when nothing must
   * happen between its files (batch.ts), else one file per process request.
   */
  private async runRequest(request: FileRequest): Promise<FinishedMessage> {
    const specs = request.context.files
    if (!this.shared || specs.length <= 1) return this.afterFile(await this.runFile(request))
    const scheduling = this.scheduling()
    const config = this.startRequest?.context.config as { runner?: string } | undefined
    if (
      runsWhole({
        shared: true,
        requestType: request.type,
        files: specs.length,
        admission: scheduling.gate != null,
        recycleAboveBytes: this.shared.recycleAboveBytes,
        heapProfile: this.resolved.heapProfile != null,
        customRunner: Boolean(config?.runner),
        vm: this.resolved.vm,
      })
    )
      return this.runWhole(request, scheduling.spares)
    const { vitest } = this.deps
    const errors = batchErrors(this.options.project.vitest, vitest.catchError)
    for (const [index, spec] of specs.entries()) {
      // --bail or a cancel: the files not yet started stay unstarted, as with Vitest's own pool.
      if (vitest.isCancelling(this.options.project)) {
        await vitest.cancelFiles(this.options.project, specs.slice(index))
        break
      }
      const done = this.afterFile(await this.runFile(withFiles(request, [spec])))
      if (done.error) errors.add(done.error)
    }
    return errors.finished()
  }

  /**
   * The batch goes to the process in one request; the process reports each file's start and end
   * (onFileBoundary). When it dies, the file in flight has failed (its watch says why) and the
   * files it had not started run on a fresh process.
   */
  private async runWhole(request: FileRequest, spares: RunScheduling['spares']): Promise<FinishedMessage> {
    const project = this.options.project
    const { vitest } = this.deps
    const errors = batchErrors(project.vitest, vitest.catchError)
    let waiting: FileSpec[] = []
    for (const spec of request.context.files) {
      try {
        if (!(await vitest.skipBeforeStart(withFiles(request, [spec]), project, this.resolved))) waiting.push(spec)
      } catch (error) {
        errors.add(serializeError(error))
      }
    }
    while (waiting.length) {
      if (vitest.isCancelling(project)) {
        await vitest.cancelFiles(project, waiting)
        break
      }
      const batch = new Map(waiting.map(spec => [spec.filepath, spec]))
      this.batchWaiting = batch
      const finished = new Promise<FinishedMessage>(done => (this.settle = done))
      let process: PoolProcess
      try {
        process = await this.readyProcess(waiting[0]!.filepath, spares)
      } catch (error) {
        this.settle = undefined
        this.batchWaiting = undefined
        const serialized = serializeError(error)
        errors.add({ ...serialized, message: `[vitest-memory]: the test process for ${waiting.length} files failed to start: ${serialized.message}` })
        break
      }
      const judged = waiting.map(spec => spec.filepath).filter(file => budgetOf(project, file, this.resolved) != null)
      process.send({ ...withFiles(request, waiting), [BATCH_MARK]: true, [JUDGE_MARK]: judged })
      const done = await finished
      this.batchWaiting = undefined
      if (done.error) errors.add(done.error)
      // Ran to its end (Vitest's worker also handles a cancel inside the batch): nothing to resend.
      if (process.alive && this.process === process) break
      // Died before any file started (its run's own setup kills it): a fresh process would too.
      if (batch.size === waiting.length) break
      waiting = [...batch.values()]
    }
    return errors.finished()
  }

  /** A process running a batch whole says where a file starts and ends. */
  private onFileBoundary(process: PoolProcess, boundary: FileBoundary): void {
    if (boundary.type === 'start') {
      if (!this.batchWaiting?.delete(boundary.file)) return
      this.beginFile(boundary.file)
      this.handOver(this.running!, process)
    } else if (this.running?.file === boundary.file) {
      this.finishFile(boundary.vitestMemory, false)
    }
  }

  /** Runs one file on the current process (started if there is none); resolves when it is done. */
  private async runFile(request: FileRequest): Promise<FinishedMessage> {
    const file = request.context.files[0]?.filepath
    try {
      if (await this.deps.vitest.skipBeforeStart(request, this.options.project, this.resolved)) return response({ type: 'testfileFinished' })
    } catch (error) {
      return response({ type: 'testfileFinished', error: serializeError(error) })
    }
    const scheduling = this.scheduling()
    if (request.type === 'run' && file && scheduling.gate) {
      const predicted = scheduling.predict(this.options.project.name, toPosix(relative(this.options.project.config.root, file)))
      this.ticket = await scheduling.gate.admit(predicted, () => this.process?.treeRssBytes ?? 0)
    }
    // Stopped while the file waited for room (a cancel): it starts no process.
    if (this.lifecycle.closed) {
      this.releaseTicket()
      return response({ type: 'testfileFinished' })
    }
    if (request.type === 'run' && file) this.beginFile(file)
    const watch = this.running?.watch
    const finished = new Promise<FinishedMessage>(done => (this.settle = done))
    let process: PoolProcess
    try {
      process = await this.readyProcess(file, scheduling.spares, pid => watch?.booting(pid))
    } catch (error) {
      // A process that died while starting is reported by the file's watch, as a failed file.
      if (watch?.handlesDeath) return finished
      this.settle = undefined
      this.running = undefined
      this.releaseTicket()
      const serialized = serializeError(error)
      // A file whose process could not start is a failed file (start-failure.ts).
      if (
        request.type === 'run' &&
        file &&
        (await this.deps.vitest.failNotStarted(this.options.project, file, toPosix(relative(this.options.project.config.root, file)), serialized))
      )
        return response({ type: 'testfileFinished' })
      const where = file ? ` for ${toPosix(relative(this.options.project.config.root, file))}` : ''
      return response({
        type: 'testfileFinished',
        error: { ...serialized, message: `[vitest-memory]: the test process${where} failed to start: ${serialized.message}` },
      })
    }
    if (this.running) this.handOver(this.running, process)
    process.send(this.running ? { ...request, [JUDGE_MARK]: this.running.budget ? [this.running.file] : [] } : request)
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
      this.lifecycle.to(WorkerState.Started)
      // Ended in the background (SIGTERM, SIGKILL after a grace period): the next file starts on
      // a spare or a fresh process at once.
      void process.stop().then(() => this.process || this.deps.run.gone(this))
    }
    return done
  }

  /**
   * The file's time and peak start now, whether the process was started for it, booted ahead as
   * a spare, or ran other files before: the same rule for all, so the figures agree.
   */
  private handOver(running: RunningFile, process: PoolProcess): void {
    const pid = process.pid
    // A shared process resets its own peak when the file's request arrives (and reports what it
    // held then): between two files the pool adds no reading of its own to the wait.
    if (this.shared) running.watch.shared = this.shared.placeFile(pid, running.relativeFile, process.sampler.last?.rootRssBytes)
    else this.deps.machine.resetPeak(pid)
    process.sampler.reset()
    running.startedAt = this.deps.clock.now()
    running.watch.started(process)
    this.deps.run.timeline.begin(this, this.options.project.name, running.file, running.startedAt)
    this.lifecycle.to(WorkerState.Running)
  }

  private scheduling(): RunScheduling {
    const { project, distPath } = this.options
    return this.deps.run.scheduling(this.resolved, project.vitest.logger, { maxWorkers: filesAtOnce(project), distPath })
  }

  /**
   * The live process, or a new one (a spare when one is waiting), started and sent Vitest's start
   * request; resolves once it answered. `booting` hears a new process's pid before that.
   */
  private async readyProcess(file: string | undefined, spares: RunScheduling['spares'], booting?: (pid: number) => void): Promise<PoolProcess> {
    if (this.process?.alive) {
      booting?.(this.process.pid)
      await this.process.ready
      return this.process
    }
    this.lifecycle.to(WorkerState.Booting)
    this.deps.run.openJournal(this.options.project.vitest, this.resolved)
    const process = this.deps.createProcess(
      {
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
        vm: this.resolved.vm,
      },
      {
        message: message => this.onProcessMessage(process, message),
        sample: sample => {
          this.running?.watch.sample(sample)
          for (const news of this.running?.watch.tests.sample(sample) ?? []) process.send(treeNews(news))
          this.deps.run.timeline.update(this, sample.treeRssBytes)
        },
        stderr: chunk => this.running?.watch.stderr(chunk),
        error: error => this.events.emit('error', error),
        startTimedOut: detail => {
          if (!this.running) return false
          this.running.watch.startTimedOut(detail)
          return true
        },
        exited: (code, signal, closed) => this.onProcessExit(process, code, signal, closed),
      },
    )
    this.process = process
    this.deps.run.live(this)
    const ready = process.start()
    booting?.(process.pid)
    await ready
    if (process === this.process && this.lifecycle.state === WorkerState.Booting) this.lifecycle.to(WorkerState.Ready)
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

  private onProcessMessage(process: PoolProcess, message: any): void {
    if (process !== this.process) return // a recycled process being stopped: nothing Vitest waits for
    const boundary = fileBoundary(message)
    if (boundary) {
      this.onFileBoundary(process, boundary)
      return
    }
    if (isVmFileStart(message)) {
      process.sampler.reset()
      return
    }
    const late = vmRetainedOf(message)
    if (late) {
      settleVmFile(this.lastMeasurement, late)
      return
    }
    const startedTest = startedTestOf(message)
    if (startedTest) {
      this.running?.watch.testStarted(startedTest)
      return
    }
    const query = verdictQueryOf(message)
    if (query) {
      this.answerVerdict(process, query)
      return
    }
    if (isWorkerResponse(message, 'testfileFinished')) {
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
  private onProcessExit(process: PoolProcess, code: number | null, signal: NodeJS.Signals | null, closed: Promise<void>): void {
    this.shared?.processEnded(process.pid)
    if (process !== this.process) return
    this.process = undefined
    this.lifecycle.to(WorkerState.Started)
    this.deps.run.timeline.end(this)
    this.deps.run.gone(this)
    this.releaseTicket()
    if (this.deps.run.aborting()) return
    const running = this.running
    this.running = undefined
    const settle = this.settle
    this.settle = undefined
    const died = running?.watch.died(code, signal, closed)
    void (died ?? closed).then(() =>
      settle?.(
        response({
          type: 'testfileFinished',
          // Not a file of ours (a collect request): Vitest must still hear why it ended.
          ...(running ? {} : { error: serializeError(new Error(`vitest-memory: the test process exited (${signal ?? `code ${code}`}) before it finished`)) }),
        }),
      ),
    )
  }

  private beginFile(file: string): void {
    this.running = openRunningFile(this.options.project, file, this.resolved, this.deps)
  }

  /** Stores the file's measurement before Vitest learns that the file finished. */
  private finishFile(own: (OwnPeak & Partial<ChildFilePeak>) | undefined, atEnd = true): void {
    const process = this.process
    if (!this.running || !process) return
    const { run, vitest, clock } = this.deps
    const measurement = fileMeasurement(this.running, process, this.options.project.name, own, atEnd, clock.now())
    const { file, watch } = this.running
    run.measured(measurement)
    this.lastMeasurement = measurement
    const annotation = this.resolved.annotations ? verdictAnnotation(measurement, this.resolved) : null
    vitest.attachMeasurement(this.options.project.vitest, measurement, annotation)
    // Over budget though the process was not told (a peak after its question, or a file that did
    // not ask): failed in Vitest's state now, before Vitest learns that the file finished.
    const verdict = judgeFile(measurement, this.resolved)
    if (verdict.fails && !this.running.failedInChild) {
      void vitest.failFinishedFile(
        this.options.project,
        file,
        overBudgetError(`vitest-memory: ${this.running.relativeFile} ${fileVerdictText(verdict, measurement)}`),
      )
    }
    if (verdict.fails) vitest.bail(this.options.project)
    run.timeline.end(this)
    watch.finished(measurement, vitest.fileState(this.options.project, file))
    this.running = undefined
    if (this.lifecycle.state === WorkerState.Running) this.lifecycle.to(WorkerState.Ready)
    // Per file, the ticket is kept: the process holds its memory until Vitest stops it (right after this).
  }

  /**
   * A test process asks, before Vitest settles a file (or a budgeted test), whether it is over its
   * budget: the tree is sampled now and judged by the one verdict (policy/verdict.ts).
   */
  private answerVerdict(process: PoolProcess, query: VerdictQuery): void {
    process.sampler.sampleNow()
    process.send(verdictReply(answerVerdict(query, this.running, process.sampler.treePeakBytes, this.resolved)))
  }

  private releaseTicket(): void {
    this.ticket?.release()
    this.ticket = undefined
  }
}
