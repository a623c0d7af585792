// The PoolWorker transport: one fresh child process per test file, running Vitest's own fork
// worker. Lifecycle only — start, run, stop — plus handing the measurement to the shared state.
import { fork, type ChildProcess } from 'node:child_process'
import { relative, resolve } from 'node:path'
import { fileURLToPath } from 'node:url'
import type { PoolOptions, PoolWorker, WorkerRequest } from 'vitest/node'
import { TreeSampler } from '../measure/sampler.js'
import type { OwnPeak } from '../measure/self.js'
import { hasProcfs } from '../measure/procfs.js'
import type { ResolvedMemoryOptions } from '../options.js'
import { readAnnotations } from '../policy/annotations.js'
import { budgetFor, type FileBudget } from '../policy/budget.js'
import { measurementKey, sharedState } from '../state.js'
import { descendantsOf, readParentMap } from '../measure/procfs.js'

const CHILD_ENTRY = fileURLToPath(new URL('./child.js', import.meta.url))
/** Like Vitest's forks pool: a process that ignores SIGTERM is killed this much later. */
const SIGKILL_AFTER_MS = 500

interface RunningFile {
  file: string
  startedAt: number
  budget: FileBudget | null
}

export class MemoryPoolWorker implements PoolWorker {
  readonly cacheFs = true
  private child: ChildProcess | undefined
  private sampler: TreeSampler | undefined
  private running: RunningFile | undefined
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
    this.process.on(event, callback)
  }

  off(event: string, callback: (...args: any[]) => void): void {
    this.process.off(event, callback)
  }

  send(message: WorkerRequest): void {
    if (message.type === 'run') this.beginFile(message.context.files[0]?.filepath)
    this.process.send(message)
  }

  deserialize(data: unknown): unknown {
    return data
  }

  async start(): Promise<void> {
    if (this.child) return
    const child = fork(CHILD_ENTRY, [], {
      env: { ...this.options.env, VITEST_MEMORY_WORKER_ENTRY: resolve(this.options.distPath, 'workers/forks.js') },
      execArgv: this.options.execArgv,
      stdio: 'pipe',
      serialization: 'advanced',
    })
    this.child = child
    pipeOutput(child.stdout, this.stdout)
    pipeOutput(child.stderr, this.stderr)
    // Registered before Vitest's own listener, so the measurement is stored before Vitest
    // learns that the file finished.
    child.on('message', this.onMessage)
    this.sampler = new TreeSampler(child.pid!, this.resolved.sampleIntervalMs)
    this.sampler.start()
  }

  async stop(): Promise<void> {
    const child = this.child
    if (!child) return
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
    unpipeOutput(child.stdout, this.stdout)
    unpipeOutput(child.stderr, this.stderr)
    this.child = undefined
  }

  private get process(): ChildProcess {
    if (!this.child) throw new Error('vitest-memory: the test process was torn down or never started.')
    return this.child
  }

  private beginFile(file: string | undefined): void {
    if (!file) return
    const root = this.options.project.config.root
    const budget = budgetFor(toPosix(relative(root, file)), readAnnotations(file), this.resolved)
    this.sampler?.reset()
    this.running = { file, startedAt: Date.now(), budget }
  }

  private onMessage = (message: any): void => {
    if (!message?.__vitest_worker_response__ || message.type !== 'testfileFinished' || !this.running) return
    const own = message.vitestMemory as OwnPeak | undefined
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

function tryKill(pid: number, signal: NodeJS.Signals): void {
  try {
    process.kill(pid, signal)
  } catch {
    // already gone
  }
}

function pipeOutput(from: NodeJS.ReadableStream | null, to: NodeJS.WritableStream): void {
  if (!from) return
  const target = to as NodeJS.WritableStream & { setMaxListeners?: (n: number) => void, getMaxListeners?: () => number }
  target.setMaxListeners?.(1 + (target.getMaxListeners?.() ?? 10))
  from.pipe(to)
}

function unpipeOutput(from: NodeJS.ReadableStream | null, to: NodeJS.WritableStream): void {
  if (!from) return
  from.unpipe(to as NodeJS.WritableStream)
  const target = to as NodeJS.WritableStream & { setMaxListeners?: (n: number) => void, getMaxListeners?: () => number }
  target.setMaxListeners?.(Math.max(0, (target.getMaxListeners?.() ?? 11) - 1))
}

export function toPosix(path: string): string {
  return path.split('\\').join('/')
}
