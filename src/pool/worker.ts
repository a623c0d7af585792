// The PoolWorker transport: one fresh child process per test file, running Vitest's own fork
// worker. Lifecycle only — start, run, stop — plus handing the measurement to the shared state.
//
// The process is forked when a file is handed over, not when Vitest calls start(): Vitest's
// `start` request is answered here and replayed to the child, so a file the pool decides not to
// run never costs a process, and the events Vitest sees can be shaped (a crash becomes a failed
// file instead of "Worker exited unexpectedly").
import { fork, type ChildProcess } from 'node:child_process'
import { EventEmitter } from 'node:events'
import { relative, resolve } from 'node:path'
import { fileURLToPath } from 'node:url'
import type { PoolOptions, PoolWorker, WorkerRequest } from 'vitest/node'
import { descendantsOf, hasProcfs, readParentMap } from '../measure/procfs.js'
import { TreeSampler } from '../measure/sampler.js'
import type { OwnPeak } from '../measure/self.js'
import type { ResolvedMemoryOptions } from '../options.js'
import { readAnnotations } from '../policy/annotations.js'
import { budgetFor, type FileBudget } from '../policy/budget.js'
import { measurementKey, sharedState } from '../state.js'

const CHILD_ENTRY = fileURLToPath(new URL('./child.js', import.meta.url))
/** Like Vitest's forks pool: a process that ignores SIGTERM is killed this much later. */
const SIGKILL_AFTER_MS = 500
const FLUSH_WAIT_MS = 1000

type StartRequest = Extract<WorkerRequest, { type: 'start' }>
type FileRequest = Extract<WorkerRequest, { type: 'run' | 'collect' }>

interface RunningFile {
  file: string
  startedAt: number
  budget: FileBudget | null
}

const response = (body: Record<string, unknown>) => ({ __vitest_worker_response__: true, ...body })

export class MemoryPoolWorker implements PoolWorker {
  readonly cacheFs = true
  /** What Vitest listens to; child events are forwarded here. */
  private readonly events = new EventEmitter()
  private child: ChildProcess | undefined
  private startRequest: StartRequest | undefined
  /** Messages Vitest sent before there was a child to send them to. */
  private pending: unknown[] = []
  private booting: Promise<void> | undefined
  private sampler: TreeSampler | undefined
  private running: RunningFile | undefined
  private stopping = false
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
    if (!child) return
    this.stopping = true
    this.sampler?.stop()
    const exited = new Promise<void>((done) => {
      if (child.exitCode !== null || child.signalCode !== null) done()
      else child.once('exit', () => done())
    })
    // Descendants must be listed while the child lives: once it dies they are re-parented.
    const descendants = hasProcfs() && child.pid ? descendantsOf(child.pid, readParentMap()) : []
    const kill = (signal: NodeJS.Signals) => {
      child.kill(signal)
      for (const pid of descendants) tryKill(pid, signal)
    }
    const escalation = setTimeout(() => kill('SIGKILL'), SIGKILL_AFTER_MS)
    kill('SIGTERM')
    await exited
    clearTimeout(escalation)
    for (const pid of descendants) tryKill(pid, 'SIGKILL')
    // The tail of a dead child's output is still being drained: let it reach the logger first.
    await Promise.all([flushed(child.stdout), flushed(child.stderr)])
    unpipeOutput(child.stdout, this.stdout)
    unpipeOutput(child.stderr, this.stderr)
    this.child = undefined
  }

  private async runFile(request: FileRequest): Promise<void> {
    const file = request.context.files[0]?.filepath
    try {
      await this.boot()
    } catch (error) {
      this.emitMessage(response({ type: 'testfileFinished', error: serializeError(error) }))
      return
    }
    if (request.type === 'run' && file) this.beginFile(file)
    this.forward(request)
  }

  /** Forks the child and replays Vitest's start request; resolves when the child has started. */
  private boot(): Promise<void> {
    this.booting ??= new Promise<void>((ready, failed) => {
      const child = fork(CHILD_ENTRY, [], {
        env: { ...this.options.env, VITEST_MEMORY_WORKER_ENTRY: resolve(this.options.distPath, 'workers/forks.js') },
        execArgv: this.options.execArgv,
        stdio: 'pipe',
        serialization: 'advanced',
      })
      this.child = child
      pipeOutput(child.stdout, this.stdout)
      pipeOutput(child.stderr, this.stderr)
      this.sampler = new TreeSampler(child.pid!, this.resolved.sampleIntervalMs)
      this.sampler.start()
      const onStarted = (message: any) => {
        if (!message?.__vitest_worker_response__ || message.type !== 'started') return
        child.off('message', onStarted)
        if (message.error) {
          failed(message.error)
          return
        }
        child.on('message', this.onChildMessage)
        ready()
      }
      child.on('message', onStarted)
      child.on('error', error => this.events.emit('error', error))
      child.on('exit', (code, signal) => {
        this.sampler?.stop()
        if (!this.stopping) this.events.emit('exit', code, signal)
      })
      child.send(this.startRequest as never)
      for (const queued of this.pending.splice(0)) child.send(queued as never)
    })
    return this.booting
  }

  /** IPC keeps order, so anything sent after the start request reaches the child after it. */
  private forward(message: unknown): void {
    if (!this.child) this.pending.push(message)
    else if (this.child.connected) this.child.send(message as never)
  }

  private emitMessage(message: unknown): void {
    this.events.emit('message', message)
  }

  private beginFile(file: string): void {
    const root = this.options.project.config.root
    const budget = budgetFor(toPosix(relative(root, file)), readAnnotations(file), this.resolved)
    this.sampler?.reset()
    this.running = { file, startedAt: Date.now(), budget }
    sharedState().startedFiles.add(measurementKey(this.options.project.name, file))
  }

  private onChildMessage = (message: any): void => {
    if (message?.__vitest_worker_response__ && message.type === 'testfileFinished') this.finishFile(message.vitestMemory)
    this.emitMessage(message)
  }

  /** Stores the file's measurement before Vitest learns that the file finished. */
  private finishFile(own: OwnPeak | undefined): void {
    if (!this.running) return
    this.sampler?.sampleNow()
    const peak = own?.peakRssBytes ?? null
    const treePeak = Math.max(this.sampler?.treePeakBytes ?? 0, peak ?? 0) || null
    const { file, startedAt, budget } = this.running
    const project = this.options.project.name
    sharedState().measurements.set(measurementKey(project, file), {
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
    })
    this.running = undefined
  }
}

function serializeError(error: unknown): { name: string, message: string, stack?: string } {
  const e = error instanceof Error ? error : new Error(String((error as { message?: string })?.message ?? error))
  return { name: e.name, message: e.message, stack: e.stack }
}

function tryKill(pid: number, signal: NodeJS.Signals): void {
  try {
    process.kill(pid, signal)
  } catch {
    // already gone
  }
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
