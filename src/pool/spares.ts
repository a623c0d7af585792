// Test processes booted ahead of time: Node started and Vitest's worker runtime loading, no test
// file imported. A file then starts on a process that is already up instead of paying Node's and
// Vitest's start-up (~160 ms a file on a small machine) while the previous file ran.
//
// Warm spares: a spare booted for a file of a builtin DOM environment also loads that
// environment's library while it waits (preload.ts), which is most of a jsdom file's start-up.
// A spare is handed only to a file whose environment loads exactly what the spare loaded, or
// preloaded nothing: a file never carries another environment's library in its measured peak.
import { fork, type ChildProcess } from 'node:child_process'
import { existsSync } from 'node:fs'
import { fileURLToPath } from 'node:url'
import { readProcessMemory } from '../measure/procfs.js'
import { environmentPreload, type Preload } from '../vitest-internals/environment-modules.js'
import { OWN_PROCESS_GROUP, tryKill } from './kill-tree.js'
import { guardAgainstOrphans } from './orphan-guard.js'
import { PRELOAD_ENV } from './preload.js'
import type { SpareStats } from '../model.js'

/**
 * The test process's entry: child.js as one module (`npm run build` bundles it: a process then
 * loads one file of ours instead of 18), else child.js itself when only tsc ran.
 */
const CHILD_ENTRY = ['./child.bundle.js', './child.js'].map(name => fileURLToPath(new URL(name, import.meta.url))).find(path => existsSync(path))!
/**
 * A safety net: spares are ended when no file started for this long. The run's end ends them
 * anyway (the reporter's onTestRunEnd, also in watch mode). Counted from the last file start, not
 * from the spare's boot, and long: on a loaded machine one file can take several seconds between
 * starts, and a spare killed while still wanted makes every next file start cold.
 */
export const SPARE_IDLE_MS = 30_000
/** How many recent files' environments guide which environments the next spares load. */
const RECENT_ENVIRONMENTS = 16

export interface ProcessSpec {
  /** Vitest's worker entry (`<distPath>/workers/forks.js`) the child imports. */
  workerEntry: string
  env: NodeJS.ProcessEnv
  execArgv: string[]
  /** The test environment of the file the process is for (`node`, `jsdom`, a custom one). */
  environment?: string
  /** The Vitest project the file belongs to. */
  project?: string
}

/**
 * Forks a test process, as the leader of its own process group so the file's whole tree can be
 * killed even after the process died. Messages sent before it listens wait in the IPC pipe, in order.
 * `preload`: what a spare loads while it waits.
 */
export function forkTestProcess(spec: ProcessSpec, preload: Preload | null = null): ChildProcess {
  const child = fork(CHILD_ENTRY, [], {
    env: {
      ...spec.env,
      VITEST_MEMORY_WORKER_ENTRY: spec.workerEntry,
      VITEST_MEMORY_OWN_GROUP: OWN_PROCESS_GROUP ? '1' : '0',
      ...(preload ? { [PRELOAD_ENV]: JSON.stringify(preload) } : {}),
    },
    execArgv: spec.execArgv,
    stdio: 'pipe',
    serialization: 'advanced',
    detached: OWN_PROCESS_GROUP,
  })
  // Busy in synchronous code, it would not hear the runner die (orphan-guard.ts).
  if (OWN_PROCESS_GROUP) guardAgainstOrphans(child)
  return child
}

interface Spare {
  child: ChildProcess
  idle: NodeJS.Timeout
  /** What it loads ahead, as a key (see preloadKey; '' for nothing). */
  preload: string
  environment: string | null
}

export interface SpareOptions {
  /**
   * How many spares to keep waiting now (a fixed number, or the 'auto' policy's current answer):
   * per process spec (project) for a fixed number, for the whole run with 'auto'.
   */
  target: () => number
  setting: number | 'auto'
  /** The environments of the files expected to start next, in order, when known (the run's queue). */
  upcoming?: (project: string, count: number) => string[]
  /** Vitest's dist directory: where the builtin environments resolve their libraries from. */
  distPath?: string
}

/** What each process taken from the spares had loaded ahead, for the file's report. */
const preloaded = new WeakMap<ChildProcess, string>()

/** The environment whose library the file's process loaded before the file arrived, or null. */
export function preloadedEnvironment(child: ChildProcess | undefined): string | null {
  return (child && preloaded.get(child)) ?? null
}

export class SpareProcesses {
  private readonly spares = new Map<string, Spare[]>()
  /** The most a waiting spare was seen to hold, per preload: one still booting will grow to about that. */
  private readonly bootedRssBytes = new Map<string, number>()
  /** Environments of the files that took a process most recently, newest last. */
  private readonly recent: string[] = []
  readonly stats: SpareStats

  constructor(private readonly options: SpareOptions) {
    this.stats = { setting: options.setting, matched: 0, environmentMismatch: 0, fresh: 0, booted: 0, mostWaiting: 0 }
  }

  /** Whether the files that took a process most recently run an environment a spare loads ahead. */
  preloading(): boolean {
    const last = this.recent.at(-1)
    return last !== undefined && last !== 'node'
  }

  get count(): number {
    return this.options.target()
  }

  /**
   * A booted (or booting) process for this spec, or undefined when none fits: one that loaded the
   * file's environment, else one that loaded nothing (the file loads its own environment).
   */
  take(spec: ProcessSpec): ChildProcess | undefined {
    const environment = spec.environment ?? 'node'
    this.recent.push(environment)
    if (this.recent.length > RECENT_ENVIRONMENTS) this.recent.shift()
    // None waiting (the common case when every core runs a file): no spec to compare.
    if (this.size === 0) {
      this.stats.fresh++
      return undefined
    }
    const wanted = this.preloadKey(spec, environment)
    const list = (this.spares.get(signature(spec)) ?? []).filter(s => alive(s.child))
    const spare = list.find(s => s.preload === wanted) ?? list.find(s => s.preload === '')
    if (!spare) {
      if (list.length > 0) this.stats.environmentMismatch++
      else this.stats.fresh++
      return undefined
    }
    if (spare.preload === wanted) this.stats.matched++
    else this.stats.environmentMismatch++
    this.remove(signature(spec), spare)
    setKeepsAlive(spare.child, true)
    if (spare.preload) preloaded.set(spare.child, spare.environment!)
    return spare.child
  }

  /**
   * Boots processes for this spec until the target number wait, each loading the environment of
   * a file expected next: the queue's next files when known, else the environments of the files
   * just started. A waiting spare no upcoming file wants makes room for one that is wanted.
   * `most`: at most this many for the spec (one for a shared process's successor).
   */
  fill(spec: ProcessSpec, most = Number.POSITIVE_INFINITY): void {
    // Nothing to boot and nothing waiting to end: no spec to compare (signature is a JSON of the env).
    if (this.size === 0 && this.count === 0) return
    const key = signature(spec)
    const list = this.spares.get(key) ?? []
    this.spares.set(key, list)
    const count = Math.min(most, this.options.setting === 'auto' ? Math.max(0, this.count - (this.size - list.length)) : this.count)
    const needed = this.expectedEnvironments(spec, count).map(environment => ({ environment, preload: this.preloadKey(spec, environment) }))
    const unwanted: Spare[] = []
    for (const spare of list) {
      const index = needed.findIndex(n => n.preload === spare.preload)
      if (index === -1) unwanted.push(spare)
      else needed.splice(index, 1)
    }
    for (const spare of unwanted) {
      if (list.length + needed.length <= count) break
      this.end(key, spare)
    }
    // The target shrank (auto: less memory or room): the newest spares go first.
    while (list.length > count) this.end(key, list[list.length - 1])
    for (const { environment, preload } of needed) {
      if (list.length >= count) break
      const child = forkTestProcess(spec, preload ? (JSON.parse(preload) as Preload) : null)
      // A spare must not keep the runner alive, nor hold its output.
      setKeepsAlive(child, false)
      const spare: Spare = { child, preload, environment: preload ? environment : null, idle: setTimeout(() => this.end(key, spare), SPARE_IDLE_MS).unref() }
      child.once('exit', () => this.remove(key, spare))
      list.push(spare)
      this.stats.booted++
    }
    this.stats.mostWaiting = Math.max(this.stats.mostWaiting, this.size)
    // A file just started: the run is busy, every waiting spare is still wanted.
    for (const [listKey, spares] of this.spares) {
      for (const spare of spares) spare.idle.refresh()
      if (spares.length === 0 && listKey !== key) this.spares.delete(listKey)
    }
  }

  /**
   * Resident memory held by waiting spares, so admission can count it: each at least what a booted
   * spare of its kind holds, so a spare still loading is not counted at half its size.
   */
  rssBytes(): number {
    let total = 0
    for (const list of this.spares.values()) {
      for (const { child, preload } of list) {
        if (!alive(child)) continue
        const rss = (child.pid && readProcessMemory(child.pid)?.rssBytes) || 0
        const booted = Math.max(this.bootedRssBytes.get(preload) ?? 0, rss)
        this.bootedRssBytes.set(preload, booted)
        total += booted
      }
    }
    return total
  }

  /** What one more spare is expected to hold, or null before any spare was seen. */
  spareBytes(): number | null {
    const seen = [...this.bootedRssBytes.values()]
    return seen.length > 0 ? Math.max(...seen) : null
  }

  get size(): number {
    let n = 0
    for (const list of this.spares.values()) n += list.length
    return n
  }

  pids(): number[] {
    return [...this.spares.values()]
      .flat()
      .map(s => s.child.pid!)
      .filter(Boolean)
  }

  /** Ends every waiting spare (end of run, or the runner is exiting). */
  killAll(): void {
    for (const [key, list] of this.spares) for (const spare of [...list]) this.end(key, spare)
  }

  /** The environments of the next `count` files: the known queue first, then recent files'. */
  private expectedEnvironments(spec: ProcessSpec, count: number): string[] {
    const expected = (this.options.upcoming?.(spec.project ?? '', count) ?? []).slice(0, count)
    // Unknown queue: the environments of the last files started, newest first (a suite of one
    // environment gets it every time, a mixed one a mix).
    const recent = this.recent.length > 0 ? [...this.recent].reverse() : [spec.environment ?? 'node']
    for (let i = 0; expected.length < count; i++) expected.push(recent[i % recent.length])
    return expected
  }

  /** Two environments that load the same are interchangeable ('jsdom' with other options). */
  private preloadKey(spec: ProcessSpec, environment: string): string {
    const preload = this.options.distPath ? environmentPreload(environment, this.options.distPath, spec.execArgv) : null
    return preload ? JSON.stringify(preload) : ''
  }

  private end(key: string, spare: Spare): void {
    this.remove(key, spare)
    if (OWN_PROCESS_GROUP && spare.child.pid) tryKill(-spare.child.pid, 'SIGKILL')
    spare.child.kill('SIGKILL')
  }

  private remove(key: string, spare: Spare): void {
    clearTimeout(spare.idle)
    const list = this.spares.get(key)
    const index = list?.indexOf(spare) ?? -1
    if (index !== -1) list!.splice(index, 1)
  }
}

/** The process a spec starts, apart from the environment it loads ahead. */
function signature(spec: ProcessSpec): string {
  // The project and environment are not part of the process: its arguments and variables are.
  return JSON.stringify([spec.workerEntry, spec.execArgv, Object.entries(spec.env).sort()])
}

function alive(child: ChildProcess): boolean {
  return child.exitCode === null && child.signalCode === null
}

/** Whether the process, its IPC channel and its output pipes keep the runner's event loop alive. */
function setKeepsAlive(child: ChildProcess, keep: boolean): void {
  const handles = [child, child.channel, child.stdout, child.stderr] as ({ ref?: () => void; unref?: () => void } | null | undefined)[]
  for (const handle of handles) keep ? handle?.ref?.() : handle?.unref?.()
}
