// One test process: a child running Vitest's own fork worker behind the pool's entry. Boots it
// (a spare, or a fresh fork), replays Vitest's start request, bounds the start, samples its tree,
// pipes its output and stops it (SIGTERM, then SIGKILL). It decides nothing about files: the
// worker (worker.ts) owns which file runs on it and what a death means. Constructed idle: start()
// boots it, as Vitest's PoolRunner keeps forking in its start().
import type { ChildProcess } from 'node:child_process'
import { TreeSampler } from '../measure/sampler.js'
import { selfReading } from './self-readings.js'
import { formatDuration } from '../size.js'
import { childLaunch, type ChildLaunch } from './child-launch.js'
import { withTestHooks } from './inject.js'
import { killProcessTree, OWN_PROCESS_GROUP, tryKill } from './kill-tree.js'
import { isWorkerResponse } from './protocol.js'
import { forkTestProcess, preloadedEnvironment, type ProcessSpec, type SpareProcesses } from './spares.js'
import type { BootOptions, PoolProcess, ProcessEvents } from './worker-ports.js'
import { rpcFrame } from '../vitest-internals/rpc-frames.js'
import { forksWorkerEntry, VM_EXEC_ARGV, vmWorkerEntry } from '../vitest-internals/worker-entries.js'

/** Like Vitest's forks pool: a process that ignores SIGTERM is killed this much later. */
const SIGKILL_AFTER_MS = 500
/** A profiled process writes its heap profile on exit: give it time to. */
const SIGKILL_AFTER_MS_PROFILING = 10_000
const FLUSH_WAIT_MS = 1000

export class TestProcess implements PoolProcess {
  /** Set once the pool is stopping it: its exit is expected. */
  stopping = false
  /** What the process last sent, in words: the start-timeout error names it. */
  private lastSaid = 'it sent nothing'
  private readonly stdout: NodeJS.WritableStream
  private readonly stderr: NodeJS.WritableStream
  private booted:
    | { child: ChildProcess; sampler: TreeSampler; launch: ChildLaunch; ready: Promise<void>; spec: ProcessSpec; reusable: SpareProcesses | null }
    | undefined

  /** Nothing runs yet: start() boots the process, as Vitest's PoolRunner keeps that in its start(). */
  constructor(
    private readonly options: BootOptions,
    private readonly events: ProcessEvents,
  ) {
    this.stdout = options.pool.project.vitest.logger.outputStream
    this.stderr = options.pool.project.vitest.logger.errorStream
  }

  /** Boots the process (a spare, or a fresh fork), wires its events, arms the start timeout and replays Vitest's start request. */
  start(): Promise<void> {
    if (this.booted) return this.booted.ready
    const { options, events } = this
    const { pool, resolved } = options
    const launch = childLaunch(resolved, pool.project.config.root, options.file ?? 'unknown', pool.project.name, options.shared)
    const spec = {
      workerEntry: options.vm ? vmWorkerEntry(pool.distPath) : forksWorkerEntry(pool.distPath),
      env: { ...pool.env, ...launch.env },
      execArgv: [...pool.execArgv, ...(options.vm ? VM_EXEC_ARGV : []), ...launch.execArgv],
      // A spare that loaded this environment's library ahead is taken first.
      environment: pool.environment?.name,
      project: pool.project.name,
    }
    // A process started with per-file arguments (its own heap profile) cannot be booted ahead.
    const reusable = launch.profilePath === null ? options.spares : null
    const child = reusable?.take(spec) ?? forkTestProcess(spec)
    if (options.refillSpares) reusable?.fill(spec)
    pipeOutput(child.stdout, this.stdout)
    pipeOutput(child.stderr, this.stderr)
    child.stderr?.on('data', (chunk: Buffer) => events.stderr(chunk))
    const sampler = new TreeSampler(child.pid!, options.sampleIntervalMs, sample => events.sample(sample))
    sampler.start()
    const ready = new Promise<void>((ready, failed) => {
      // Every message is Vitest's from the first byte on: while starting, the worker already calls
      // back over RPC (a custom environment is resolved and fetched through the runner), and an
      // unanswered call is a process stuck in "starting" forever.
      let started = false
      child.on('message', (message: any) => {
        const ownRss = selfReading(message)
        if (ownRss !== null) return sampler.ownReading(ownRss)
        this.noteSaid(message)
        if (!started && isWorkerResponse(message, 'started')) {
          started = true
          clearTimeout(startTimer)
          if (message.error) failed(message.error)
          else ready()
          return
        }
        events.message(message)
      })
      // No file waits forever on a process that never finishes starting: past the bound it is
      // killed and the file fails, naming what the process was doing.
      const startTimer = setTimeout(() => {
        const detail = `did not finish starting within ${formatDuration(resolved.startTimeoutMs)} (Vitest's worker setup: loading the test environment; ${this.lastSaid})`
        if (!events.startTimedOut(detail)) failed(new Error(`vitest-memory: the test process ${detail}`))
        this.kill()
      }, resolved.startTimeoutMs)
      startTimer.unref()
      // A message that could not reach a dying child is not Vitest's error (Vitest would fail the
      // task early and end the run before the crash is reported): the death is the story.
      child.on('error', (error: NodeJS.ErrnoException) => {
        if (!isChannelError(error)) events.error(error)
      })
      child.on('exit', (code, signal) => {
        clearTimeout(startTimer)
        sampler.stop()
        if (!started) failed(new Error(`the test file's process exited (${signal ?? `code ${code}`}) while starting`))
        if (this.stopping) return
        // No orphans: whatever the file started goes with it.
        killProcessTree(child.pid!, sampler.seen.values(), 'SIGKILL')
        const closed = new Promise<void>(done => child.once('close', () => done()))
        events.exited(code, signal, closed)
        void closed.then(() => this.releaseOutput())
      })
    })
    // A boot failure is handled by whoever awaits `ready`; never an unhandled rejection.
    ready.catch(() => {})
    this.booted = { child, sampler, launch, ready, spec, reusable }
    this.send(withTestHooks(options.startRequest, options.vm))
    for (const queued of options.pending) this.send(queued)
    return ready
  }

  private get boot() {
    if (!this.booted) throw new Error('vitest-memory: the test process was not started (start() first)')
    return this.booted
  }

  get child(): ChildProcess {
    return this.boot.child
  }

  get sampler(): TreeSampler {
    return this.boot.sampler
  }

  get launch(): ChildLaunch {
    return this.boot.launch
  }

  get ready(): Promise<void> {
    return this.boot.ready
  }

  get preloadedEnvironment(): string | null {
    return preloadedEnvironment(this.booted?.child)
  }

  get pid(): number {
    return this.child.pid!
  }

  get alive(): boolean {
    const child = this.booted?.child
    return child !== undefined && child.exitCode === null && child.signalCode === null
  }

  get treeRssBytes(): number {
    return this.booted?.sampler.last?.treeRssBytes ?? 0
  }

  /** Sends over IPC; a send that fails because the child just died is dropped (its exit reports it). */
  send(message: unknown): void {
    if (!this.child.connected) return
    this.child.send(message as never, error => {
      if (error && !isChannelError(error)) this.child.emit('error', error)
    })
  }

  /** One spare like this process, for its successor: a shared process nearing its recycle. */
  bootSuccessor(): void {
    this.booted?.reusable?.fill(this.booted.spec, 1)
  }

  /** Kills the process tree at once (the hard limit, a start timeout, the runner stopping). */
  kill(): void {
    killProcessTree(this.pid, this.sampler.seen.values(), 'SIGKILL')
  }

  /** Ends the process: SIGTERM to its group, SIGKILL after a grace period; resolves when it is gone. */
  async stop(): Promise<void> {
    const child = this.child
    this.stopping = true
    this.sampler.stop()
    const exited = new Promise<void>(done => {
      if (!this.alive) done()
      else child.once('exit', () => done())
    })
    const seen = [...this.sampler.seen.values()]
    const escalation = setTimeout(() => killProcessTree(child.pid!, seen, 'SIGKILL'), this.launch.profilePath ? SIGKILL_AFTER_MS_PROFILING : SIGKILL_AFTER_MS)
    // SIGTERM to the whole process group, which the child leads: the file's subprocesses get a
    // chance to clean up too. One signal: a second one to the child alone only cost a syscall.
    if (!OWN_PROCESS_GROUP || !tryKill(-child.pid!, 'SIGTERM')) child.kill('SIGTERM')
    await exited
    clearTimeout(escalation)
    // No orphans: whatever the file started and left behind goes with it.
    killProcessTree(child.pid!, seen, 'SIGKILL')
    // The tail of a dead child's output is still being drained: let it reach the logger first.
    await Promise.all([flushed(child.stdout), flushed(child.stderr)])
    this.releaseOutput()
  }

  private released = false

  private releaseOutput(): void {
    if (this.released) return
    this.released = true
    unpipeOutput(this.child.stdout, this.stdout)
    unpipeOutput(this.child.stderr, this.stderr)
  }

  private noteSaid(message: any): void {
    const frame = rpcFrame(message)
    if (frame?.kind === 'call') {
      const argument = frame.firstArg !== null ? ` ${JSON.stringify(tailOf(frame.firstArg))}` : ''
      this.lastSaid = `its last message asked the runner for "${frame.method}"${argument}`
    } else if (isWorkerResponse(message)) {
      this.lastSaid = `its last message was "${message.type}"`
    } else if (frame?.kind === 'answer') {
      this.lastSaid = 'its last message answered a call from the runner'
    }
  }
}

/** How much of what a starting process asked for is quoted in the start-timeout error. */
const QUOTED_ARGUMENT_CHARS = 120

/** The end of a long argument (a module's path: its file name is what matters, not where the project is). */
function tailOf(text: string): string {
  return text.length > QUOTED_ARGUMENT_CHARS ? `…${text.slice(-(QUOTED_ARGUMENT_CHARS - 1))}` : text
}

function isChannelError(error: NodeJS.ErrnoException): boolean {
  return error.code === 'ERR_IPC_CHANNEL_CLOSED' || error.code === 'EPIPE' || error.code === 'ECONNRESET'
}

type ListenerCounted = NodeJS.WritableStream & { setMaxListeners?: (n: number) => void; getMaxListeners?: () => number }

function pipeOutput(from: NodeJS.ReadableStream | null, to: NodeJS.WritableStream): void {
  if (!from) return
  const target = to as ListenerCounted
  target.setMaxListeners?.(1 + (target.getMaxListeners?.() ?? 10))
  // `end: false`: the logger's streams are shared by every worker and must outlive this one.
  from.pipe(to, { end: false })
}

function flushed(stream: NodeJS.ReadableStream | null): Promise<void> {
  const readable = stream as (NodeJS.ReadableStream & { readableEnded?: boolean; destroyed?: boolean }) | null
  if (!readable || readable.readableEnded || readable.destroyed) return Promise.resolve()
  // A grandchild that escaped the kill may hold the pipe open: wait a moment, not forever.
  return new Promise(done => {
    const timer = setTimeout(done, FLUSH_WAIT_MS)
    const finish = () => {
      clearTimeout(timer)
      done()
    }
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
