// The PoolWorker transport Vitest talks to. Two lifecycles behind one transport:
// - per file (isolate: true, the default): a fresh test process for the file, stopped after it;
// - shared (isolate: false): one process runs the files one after another, as Vitest's own forks
//   pool does without isolation, and is replaced when it dies or holds too much (recycling).
// Either way each file is admitted, watched (hard limit, journal, crash) and measured on its own:
// a shared worker's batch of several files runs whole or one request per file (shared-batch.ts).
//
// The process is started when a file is handed over, not when Vitest calls start(): Vitest's
// `start` request is answered here and replayed to each process, so a file the pool decides not
// to run never costs a process, and the events Vitest sees can be shaped (a crash becomes a failed
// file instead of "Worker exited unexpectedly").
//
// Its lifecycle is one state (worker-lifecycle.ts); what it needs from outside (processes, the
// run's state, Vitest's task state, the clock) comes in as `deps` (worker-ports.ts; wired in
// worker-deps.ts), so test/worker.test.ts drives it with fakes. The pool's own marks on the
// process's channel are read by process-marks.ts.
import { EventEmitter } from 'node:events'
import { relative } from 'node:path'
import type { PoolOptions, PoolWorker, WorkerRequest } from 'vitest/node'
import type { OwnPeak } from '../measure/self.js'
import type { FileMeasurement } from '../model.js'
import type { ResolvedMemoryOptions } from '../options.js'
import type { Ticket } from '../policy/admission.js'
import { replacementNear } from '../policy/recycle.js'
import type { LiveWorker, RunScheduling } from '../run-session.js'
import { filesAtOnce } from './files-at-once.js'
import type { ChildFilePeak } from './child-state.js'
import {
  endRunningFile,
  openRunningFile,
  serializeError,
  toPosix,
  type FileRequest,
  type FinishedMessage,
  type RunningFile,
  type StartRequest,
} from './running-file.js'
import { SharedBatch, type BatchHost } from './shared-batch.js'
import { sameEnvironment, SharedLifecycle, type TaskEnvironment } from './shared-lifecycle.js'
import { LastFileSettle, vmLifecycleThreshold } from './vm-lifecycle.js'
import { isWorkerResponse, JUDGE_MARK, response, treeNews } from './protocol.js'
import { readMark } from './process-marks.js'
import { notStartedAnswer } from './start-failure.js'
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
  /** vm mode: the run end's question to the process about its last file. */
  private readonly lastFileSettle = new LastFileSettle()
  /** Resolves the request in flight on the process with the message Vitest is to get. */
  private settle: ((message: FinishedMessage) => void) | undefined
  /** The file's admission under --max-memory, held until it finishes (per file: until the process is gone). */
  private ticket: Ticket | undefined
  /** Set for isolate: false: the process outlives the file. */
  private readonly shared: SharedLifecycle | null
  /** Set for isolate: false: runs Vitest's batches of several files (whole, or one request per file). */
  private readonly batch: SharedBatch | null

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
    this.batch = this.shared ? new SharedBatch(this.batchHost(this.shared)) : null
  }

  /** What the shared batch uses of this worker (shared-batch.ts). */
  private batchHost(shared: SharedLifecycle): BatchHost {
    return {
      project: this.options.project,
      resolved: this.resolved,
      deps: this.deps,
      recycleAboveBytes: shared.recycleAboveBytes,
      scheduling: () => this.scheduling(),
      customRunner: () => Boolean((this.startRequest?.context.config as { runner?: string } | undefined)?.runner),
      runOne: async request => this.afterFile(await this.runFile(request)),
      readyProcess: (file, spares) => this.readyProcess(file, spares),
      currentProcess: () => this.process,
      expectFinished: () => new Promise<FinishedMessage>(done => (this.settle = done)),
      dropFinished: () => (this.settle = undefined),
      fileStarted: (file, process) => {
        this.beginFile(file)
        this.handOver(this.running!, process)
      },
      fileEnded: (file, figures) => {
        if (this.running?.file === file) this.finishFile(figures, false)
      },
    }
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
          // vm mode: the process settles its last file at the stop (child.ts); the report waits for it.
          if (this.resolved.vm && this.shared) this.lastFileSettle.expect()
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
        this.lastFileSettle.answered()
        this.shared?.processEnded(process.pid)
        this.deps.run.gone(this)
      }
      // Only now is the file's memory given back: under --max-memory the next file may use it.
      this.releaseTicket()
      this.lifecycle.to(WorkerState.Stopped)
    })
  }

  /**
   * vm mode, at the run's end (before the report): the last file of the live process has no next
   * file to read what it left, so the process is asked now. Bounded: a stuck process holds no report.
   */
  async settleLastFile(): Promise<void> {
    const process = this.process
    // Vitest stopped the process already: its answer comes before Vitest's 'stopped'.
    if (this.lastFileSettle.waiting) return this.lastFileSettle.waiting
    if (!this.resolved.vm || !this.shared || !process?.alive || this.running || !this.lastMeasurement?.shared) return
    await this.lastFileSettle.ask(process)
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

  /** A request of one file runs on its own; a shared worker's batch of several, as shared-batch.ts decides. */
  private async runRequest(request: FileRequest): Promise<FinishedMessage> {
    if (!this.batch || request.context.files.length <= 1) return this.afterFile(await this.runFile(request))
    return this.batch.run(request)
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
      return notStartedAnswer(request, this.options.project, error, this.deps.vitest)
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
    } else if (process?.alive && replacementNear(figures?.endRssBytes ?? null, this.shared.recycleAboveBytes)) process.bootSuccessor()
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
        // A shared process is replaced only when it is recycled or dies: its successor is booted
        // ahead only once a recycle is near (afterFile), not at its start.
        refillSpares: !this.shared,
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
    // Started before it becomes this worker's process: its start refills the spares, which asks
    // the --max-memory gate what the admitted files hold, this one's too (nothing yet, not a throw).
    const ready = process.start()
    this.process = process
    this.deps.run.live(this)
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
    const context = {
      running: this.running,
      batch: this.batch,
      lastMeasurement: this.lastMeasurement,
      policy: this.resolved,
      settled: () => this.lastFileSettle.answered(),
    }
    if (readMark(process, message, context)) return
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
    this.lastFileSettle.answered() // a dead process answers nothing
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
    const { run, vitest } = this.deps
    const measurement = endRunningFile(this.running, process, own, atEnd, { project: this.options.project, resolved: this.resolved, deps: this.deps })
    const { file, watch } = this.running
    this.lastMeasurement = measurement
    run.timeline.end(this)
    watch.finished(measurement, vitest.fileState(this.options.project, file))
    this.running = undefined
    if (this.lifecycle.state === WorkerState.Running) this.lifecycle.to(WorkerState.Ready)
    // Per file, the ticket is kept: the process holds its memory until Vitest stops it (right after this).
  }

  private releaseTicket(): void {
    this.ticket?.release()
    this.ticket = undefined
  }
}
