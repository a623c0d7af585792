// The PoolWorker transport: one fresh child process per test file, running Vitest's own fork
// worker. Lifecycle only — start, run, stop — plus handing the measurement to the shared state.
//
// The process is forked when a file is handed over, not when Vitest calls start(): Vitest's
// `start` request is answered here and replayed to the child, so a file the pool decides not to
// run never costs a process, and the events Vitest sees can be shaped (a crash becomes a failed
// file instead of "Worker exited unexpectedly").
import type { ChildProcess } from 'node:child_process'
import { EventEmitter } from 'node:events'
import { relative, resolve } from 'node:path'
import type { PoolOptions, PoolWorker, WorkerRequest } from 'vitest/node'
import { hasProcfs, resetPeak } from '../measure/procfs.js'
import { runTimeline } from '../measure/run-timeline.js'
import { TreeSampler } from '../measure/sampler.js'
import type { OwnPeak } from '../measure/self.js'
import type { ResolvedMemoryOptions } from '../options.js'
import type { Ticket } from '../policy/admission.js'
import { readAnnotations } from '../policy/annotations.js'
import { budgetFor, type FileBudget } from '../policy/budget.js'
import { LIMIT_SAMPLE_INTERVAL_MS, limitFor } from '../policy/limit.js'
import { attachMeasurement } from '../record/task-meta.js'
import { runScheduling } from '../schedule/run-scheduling.js'
import { measurementKey, sharedState, type FileMeasurement, type LiveWorker } from '../state.js'
import { fileStateInVitest } from '../vitest-adapter.js'
import { ensureRunJournal } from './abort.js'
import { childLaunch, type ChildLaunch } from './child-launch.js'
import type { ChildFilePeak } from './child.js'
import { FileWatch } from './file-watch.js'
import { withTestHooks } from './inject.js'
import { formatDuration } from '../size.js'
import { killProcessTree, OWN_PROCESS_GROUP, tryKill } from './kill-tree.js'
import { forkTestProcess, preloadedEnvironment, type SpareProcesses } from './spares.js'
import { skipBeforeStart } from './tag-gate.js'

/** Like Vitest's forks pool: a process that ignores SIGTERM is killed this much later. */
const SIGKILL_AFTER_MS = 500
/** A profiled process writes its heap profile on exit: give it time to. */
const SIGKILL_AFTER_MS_PROFILING = 10_000
const FLUSH_WAIT_MS = 1000

type StartRequest = Extract<WorkerRequest, { type: 'start' }>
type FileRequest = Extract<WorkerRequest, { type: 'run' | 'collect' }>

interface RunningFile {
  file: string
  startedAt: number
  budget: FileBudget | null
  /** Watches the hard limit, writes the journal's samples, and turns a death into a failed file. */
  watch: FileWatch
}

const response = (body: Record<string, unknown>) => ({ __vitest_worker_response__: true, ...body })

export class MemoryPoolWorker implements PoolWorker, LiveWorker {
  readonly cacheFs = true
  /** What Vitest listens to; child events are forwarded here. */
  private readonly events = new EventEmitter()
  private child: ChildProcess | undefined
  private startRequest: StartRequest | undefined
  /** Messages Vitest sent before there was a child to send them to. */
  private pending: unknown[] = []
  private booting: Promise<void> | undefined
  private bootFailed: ((error: unknown) => void) | undefined
  private sampler: TreeSampler | undefined
  private running: RunningFile | undefined
  /** The file's admission under --max-memory, held until it finishes. */
  private ticket: Ticket | undefined
  /** How the child was started beyond Vitest's settings (leak detection, heap profile). */
  private launch: ChildLaunch | undefined
  private stopping = false
  private lastSaid = 'it sent nothing'
  private readonly stdout: NodeJS.WritableStream
  private readonly stderr: NodeJS.WritableStream

  constructor(
    readonly name: string,
    private readonly options: PoolOptions,
    private readonly resolved: ResolvedMemoryOptions,
  ) {
    this.stdout = options.project.vitest.logger.outputStream
    this.stderr = options.project.vitest.logger.errorStream
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

  /** Nothing is spawned yet: the process is forked when a file is handed over. */
  async start(): Promise<void> {}

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
          void this.runFile(message as FileRequest)
          return
        case 'stop':
          if (!this.child) {
            queueMicrotask(() => this.emitMessage(response({ type: 'stopped' })))
            return
          }
          this.stopping = true
          break
      }
    }
    this.forward(message)
  }

  async stop(): Promise<void> {
    const child = this.child
    if (!child) {
      this.releaseTicket()
      return
    }
    this.stopping = true
    this.sampler?.stop()
    const exited = new Promise<void>((done) => {
      if (child.exitCode !== null || child.signalCode !== null) done()
      else child.once('exit', () => done())
    })
    const seen = [...(this.sampler?.seen.values() ?? [])]
    const escalation = setTimeout(() => killProcessTree(child.pid!, seen, 'SIGKILL'), this.launch?.profilePath ? SIGKILL_AFTER_MS_PROFILING : SIGKILL_AFTER_MS)
    // SIGTERM to the whole process group: the file's subprocesses get a chance to clean up too.
    if (OWN_PROCESS_GROUP) tryKill(-child.pid!, 'SIGTERM')
    child.kill('SIGTERM')
    await exited
    clearTimeout(escalation)
    // No orphans: whatever the file started and left behind goes with it.
    killProcessTree(child.pid!, seen, 'SIGKILL')
    // Only now is the file's memory given back: under --max-memory the next file may use it.
    this.releaseTicket()
    // The tail of a dead child's output is still being drained: let it reach the logger first.
    await Promise.all([flushed(child.stdout), flushed(child.stderr)])
    this.release(child)
  }

  /** The runner is being stopped (SIGTERM/SIGINT): kill the tree now, synchronously. */
  abort(signal: NodeJS.Signals) {
    const child = this.child
    if (!child?.pid) return null
    this.stopping = true
    this.sampler?.stop()
    killProcessTree(child.pid, this.sampler?.seen.values() ?? [], 'SIGKILL')
    return this.running?.watch.abort(signal) ?? null
  }

  private release(child: ChildProcess): void {
    unpipeOutput(child.stdout, this.stdout)
    unpipeOutput(child.stderr, this.stderr)
    sharedState().liveWorkers.delete(this)
    if (this.child === child) this.child = undefined
  }

  private async runFile(request: FileRequest): Promise<void> {
    const file = request.context.files[0]?.filepath
    try {
      if (await skipBeforeStart(request, this.options.project, this.resolved)) {
        this.emitMessage(response({ type: 'testfileFinished' }))
        return
      }
    } catch (error) {
      this.emitMessage(response({ type: 'testfileFinished', error: serializeError(error) }))
      return
    }
    const scheduling = runScheduling(this.resolved, this.options.project.vitest.logger, { maxWorkers: this.options.project.config.maxWorkers, distPath: this.options.distPath })
    if (request.type === 'run' && file && scheduling.gate) {
      const predicted = scheduling.predict(this.options.project.name, toPosix(relative(this.options.project.config.root, file)))
      this.ticket = await scheduling.gate.admit(predicted, () => this.sampler?.last?.treeRssBytes ?? 0)
    }
    if (request.type === 'run' && file) this.beginFile(file)
    const watch = this.running?.watch
    try {
      await this.boot(file, scheduling.spares)
    } catch (error) {
      this.releaseTicket()
      // A process that died while starting is reported by the file's watch, as a failed file.
      if (!watch?.handlesDeath) this.emitMessage(response({ type: 'testfileFinished', error: serializeError(error) }))
      return
    }
    if (this.running) this.handOver(this.running)
    this.forward(request)
  }

  /**
   * The file's time and peak start now, whether the process was forked for it or booted ahead as
   * a spare: the same rule for both, so the figures agree.
   */
  private handOver(running: RunningFile): void {
    const pid = this.child!.pid!
    if (hasProcfs()) resetPeak(pid)
    this.sampler!.reset()
    running.startedAt = Date.now()
    running.watch.started(pid, this.sampler!)
    runTimeline().begin(this, this.options.project.name, running.file, running.startedAt)
  }

  /**
   * Takes a spare process (or forks one) and replays Vitest's start request; resolves when the
   * child has started.
   */
  private boot(file: string | undefined, spares: SpareProcesses | null): Promise<void> {
    this.booting ??= new Promise<void>((ready, failed) => {
      ensureRunJournal(this.options.project.vitest, this.resolved)
      const launch = this.launch = childLaunch(this.resolved, this.options.project.config.root, file ?? 'unknown', this.options.project.name)
      const spec = {
        workerEntry: resolve(this.options.distPath, 'workers/forks.js'),
        env: { ...this.options.env, ...launch.env },
        execArgv: [...this.options.execArgv, ...launch.execArgv],
        // A spare that loaded this environment's library ahead is taken first.
        environment: this.options.environment?.name,
        project: this.options.project.name,
      }
      // A process started with per-file arguments (its own heap profile) cannot be booted ahead.
      const reusable = launch.profilePath === null ? spares : null
      const child = reusable?.take(spec) ?? forkTestProcess(spec)
      reusable?.fill(spec)
      this.child = child
      this.running?.watch.booting(child.pid!)
      this.bootFailed = failed
      sharedState().liveWorkers.add(this)
      pipeOutput(child.stdout, this.stdout)
      pipeOutput(child.stderr, this.stderr)
      child.stderr?.on('data', (chunk: Buffer) => this.running?.watch.stderr(chunk))
      const limited = this.running?.watch.limit != null
      const interval = limited ? Math.min(this.resolved.sampleIntervalMs, LIMIT_SAMPLE_INTERVAL_MS) : this.resolved.sampleIntervalMs
      this.sampler = new TreeSampler(child.pid!, interval, (sample) => {
        this.running?.watch.sample(sample)
        runTimeline().update(this, sample.treeRssBytes)
      })
      this.sampler.start()
      // Every message is Vitest's from the first byte on: while starting, the worker already calls
      // back over RPC (a custom environment is resolved and fetched through the runner), and an
      // unanswered call is a process stuck in "starting" forever.
      const onStarted = (message: any) => {
        if (!message?.__vitest_worker_response__ || message.type !== 'started') {
          this.childSaid(message)
          this.emitMessage(message)
          return
        }
        clearTimeout(startTimer)
        child.off('message', onStarted)
        if (message.error) {
          failed(message.error)
          return
        }
        child.on('message', this.onChildMessage)
        this.bootFailed = undefined
        ready()
      }
      child.on('message', onStarted)
      // No file waits forever on a process that never finishes starting: past the bound it is
      // killed and the file fails, naming what the process was doing.
      const startTimer = setTimeout(() => {
        const running = this.running
        const detail = `did not finish starting within ${formatDuration(this.resolved.startTimeoutMs)} (Vitest's worker setup: loading the test environment; ${this.lastSaid})`
        if (running) running.watch.startTimedOut(detail)
        else failed(new Error(`vitest-memory: the test process ${detail}`))
        killProcessTree(child.pid!, this.sampler?.seen.values() ?? [], 'SIGKILL')
      }, this.resolved.startTimeoutMs)
      startTimer.unref()
      child.once('exit', () => clearTimeout(startTimer))
      // A message that could not reach a dying child is not Vitest's error (Vitest would fail the
      // task early and end the run before the crash is reported): the death is the story.
      child.on('error', (error: NodeJS.ErrnoException) => {
        if (!isChannelError(error)) this.events.emit('error', error)
      })
      // Vitest is never told about the exit ("Worker exited unexpectedly" names nothing): a death
      // mid-file becomes that file's failure, any other exit is the end of an idle process.
      child.on('exit', (code, signal) => {
        this.sampler?.stop()
        this.releaseTicket()
        runTimeline().end(this)
        sharedState().liveWorkers.delete(this)
        if (this.stopping || sharedState().aborting) return
        killProcessTree(child.pid!, this.sampler?.seen.values() ?? [], 'SIGKILL')
        const running = this.running
        this.running = undefined
        const closed = new Promise<void>(done => child.once('close', () => done()))
        const died = running?.watch.died(code, signal, closed)
        this.bootFailed?.(new Error(`the test file's process exited (${signal ?? `code ${code}`}) while starting`))
        void (died ?? closed).then(() => this.release(child)).then(() => {
          if (running) this.emitMessage(response({ type: 'testfileFinished' }))
        })
      })
      sendTo(child, withTestHooks(this.startRequest))
      for (const queued of this.pending.splice(0)) sendTo(child, queued)
    })
    return this.booting
  }

  /** IPC keeps order, so anything sent after the start request reaches the child after it. */
  private forward(message: unknown): void {
    if (!this.child) this.pending.push(message)
    else if (this.child.connected) sendTo(this.child, message)
  }

  private emitMessage(message: unknown): void {
    this.events.emit('message', message)
  }

  private beginFile(file: string): void {
    const root = this.options.project.config.root
    const relativeFile = toPosix(relative(root, file))
    const annotations = readAnnotations(file)
    const budget = budgetFor(relativeFile, annotations, this.resolved)
    const limit = limitFor(relativeFile, annotations, this.resolved)
    const startedAt = Date.now()
    const watch = new FileWatch(this.options.project, file, relativeFile, startedAt, budget, limit)
    this.running = { file, startedAt, budget, watch }
    sharedState().startedFiles.add(measurementKey(this.options.project.name, file))
  }

  /** What the child last sent, in words: the start-timeout error names it. */
  private childSaid(message: any): void {
    if (message?.t === 'q' && typeof message.m === 'string') {
      const argument = typeof message.a?.[0] === 'string' ? ` ${JSON.stringify(message.a[0].slice(0, 120))}` : ''
      this.lastSaid = `its last message asked the runner for "${message.m}"${argument}`
    } else if (message?.__vitest_worker_response__) {
      this.lastSaid = `its last message was "${message.type}"`
    } else if (message?.t === 's') {
      this.lastSaid = 'its last message answered a call from the runner'
    }
  }

  private onChildMessage = (message: any): void => {
    this.childSaid(message)
    if (message?.__vitest_worker_response__ && message.type === 'testfileFinished') this.finishFile(message.vitestMemory)
    this.emitMessage(message)
  }

  /** Stores the file's measurement before Vitest learns that the file finished. */
  private finishFile(own: (OwnPeak & Partial<ChildFilePeak>) | undefined): void {
    if (!this.running) return
    this.sampler?.sampleNow()
    const peak = own?.peakRssBytes ?? null
    const treePeak = Math.max(this.sampler?.treePeakBytes ?? 0, peak ?? 0) || null
    const { file, startedAt, budget } = this.running
    const project = this.options.project.name
    const measurement: FileMeasurement = {
      file,
      project,
      pid: this.child?.pid ?? 0,
      method: own?.method ?? 'getrusage',
      peakRssBytes: peak,
      treePeakRssBytes: treePeak,
      durationMs: Date.now() - startedAt,
      startedAt,
      budgetBytes: budget?.bytes ?? null,
      budgetSource: budget?.source ?? null,
      setupPeakRssBytes: own?.setupPeakRssBytes ?? null,
      testPeakMethod: own?.testPeakMethod ?? null,
      profilePath: this.launch?.profilePath ?? null,
      preloadedEnvironment: preloadedEnvironment(this.child),
      ...this.running.watch.limitFields(),
    }
    sharedState().measurements.set(measurementKey(project, file), measurement)
    attachMeasurement(this.options.project.vitest, measurement, runTimeline(), this)
    this.running.watch.finished(measurement, fileStateInVitest(this.options.project, file))
    this.running = undefined
    // The ticket is kept: the process holds its memory until Vitest stops it (right after this).
  }

  private releaseTicket(): void {
    this.ticket?.release()
    this.ticket = undefined
  }
}

/** Sends over IPC; a send that fails because the child just died is dropped (its exit reports it). */
function sendTo(child: ChildProcess, message: unknown): void {
  child.send(message as never, (error) => {
    if (error && !isChannelError(error)) child.emit('error', error)
  })
}

function isChannelError(error: NodeJS.ErrnoException): boolean {
  return error.code === 'ERR_IPC_CHANNEL_CLOSED' || error.code === 'EPIPE' || error.code === 'ECONNRESET'
}

function serializeError(error: unknown): { name: string, message: string, stack?: string } {
  const e = error instanceof Error ? error : new Error(String((error as { message?: string })?.message ?? error))
  return { name: e.name, message: e.message, stack: e.stack }
}

type ListenerCounted = NodeJS.WritableStream & { setMaxListeners?: (n: number) => void, getMaxListeners?: () => number }

function pipeOutput(from: NodeJS.ReadableStream | null, to: NodeJS.WritableStream): void {
  if (!from) return
  const target = to as ListenerCounted
  target.setMaxListeners?.(1 + (target.getMaxListeners?.() ?? 10))
  // `end: false`: the logger's streams are shared by every worker and must outlive this one.
  from.pipe(to, { end: false })
}

function flushed(stream: NodeJS.ReadableStream | null): Promise<void> {
  const readable = stream as (NodeJS.ReadableStream & { readableEnded?: boolean, destroyed?: boolean }) | null
  if (!readable || readable.readableEnded || readable.destroyed) return Promise.resolve()
  // A grandchild that escaped the kill may hold the pipe open: wait a moment, not forever.
  return new Promise((done) => {
    const timer = setTimeout(done, FLUSH_WAIT_MS)
    const finish = () => { clearTimeout(timer); done() }
    readable.once('end', finish)
    readable.once('close', finish)
  })
}

function unpipeOutput(from: NodeJS.ReadableStream | null, to: NodeJS.WritableStream): void {
  if (!from) return
  from.unpipe(to)
  const target = to as ListenerCounted
  target.setMaxListeners?.(Math.max(0, (target.getMaxListeners?.() ?? 11) - 1))
}

export function toPosix(path: string): string {
  return path.split('\\').join('/')
}
