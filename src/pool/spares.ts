// Test processes booted ahead of time: Node started and Vitest's worker runtime loading, no test
// file imported. A file then starts on a process that is already up instead of paying Node's and
// Vitest's start-up (~160 ms a file on a small machine) while the previous file ran.
import { fork, type ChildProcess } from 'node:child_process'
import { fileURLToPath } from 'node:url'
import { readProcessMemory } from '../measure/procfs.js'
import { OWN_PROCESS_GROUP, tryKill } from './kill-tree.js'

const CHILD_ENTRY = fileURLToPath(new URL('./child.js', import.meta.url))
/** A spare nobody took for this long is ended (the run is over, or watch mode is idle). */
export const SPARE_IDLE_MS = 3_000

export interface ProcessSpec {
  /** Vitest's worker entry (`<distPath>/workers/forks.js`) the child imports. */
  workerEntry: string
  env: NodeJS.ProcessEnv
  execArgv: string[]
}

/**
 * Forks a test process, as the leader of its own process group so the file's whole tree can be
 * killed even after the process died. Messages sent before it listens wait in the IPC pipe, in order.
 */
export function forkTestProcess(spec: ProcessSpec): ChildProcess {
  return fork(CHILD_ENTRY, [], {
    env: { ...spec.env, VITEST_MEMORY_WORKER_ENTRY: spec.workerEntry, VITEST_MEMORY_OWN_GROUP: OWN_PROCESS_GROUP ? '1' : '0' },
    execArgv: spec.execArgv,
    stdio: 'pipe',
    serialization: 'advanced',
    detached: OWN_PROCESS_GROUP,
  })
}

interface Spare {
  child: ChildProcess
  idle: NodeJS.Timeout
}

export class SpareProcesses {
  private readonly spares = new Map<string, Spare[]>()
  /** The most a waiting spare was seen to hold: one still booting will grow to about that. */
  private bootedRssBytes = 0

  constructor(readonly count: number) {}

  /** A booted (or booting) process for this spec, or undefined when none is waiting. */
  take(spec: ProcessSpec): ChildProcess | undefined {
    const list = this.spares.get(signature(spec))
    while (list?.length) {
      const spare = list.shift()!
      clearTimeout(spare.idle)
      if (spare.child.exitCode !== null || spare.child.signalCode !== null) continue
      setKeepsAlive(spare.child, true)
      return spare.child
    }
    return undefined
  }

  /** Boots processes for this spec until `count` are waiting. */
  fill(spec: ProcessSpec): void {
    const key = signature(spec)
    const list = this.spares.get(key) ?? []
    this.spares.set(key, list)
    while (list.length < this.count) {
      const child = forkTestProcess(spec)
      // A spare must not keep the runner alive, nor hold its output.
      setKeepsAlive(child, false)
      const spare: Spare = { child, idle: setTimeout(() => this.end(key, spare), SPARE_IDLE_MS).unref() }
      child.once('exit', () => this.remove(key, spare))
      list.push(spare)
    }
  }

  /**
   * Resident memory held by waiting spares, so admission can count it: each at least what a booted
   * spare holds, so a spare still loading Vitest's runtime is not counted at half its size.
   */
  rssBytes(): number {
    let total = 0
    for (const list of this.spares.values()) {
      for (const { child } of list) {
        if (child.exitCode !== null || child.signalCode !== null) continue
        const rss = (child.pid && readProcessMemory(child.pid)?.rssBytes) || 0
        this.bootedRssBytes = Math.max(this.bootedRssBytes, rss)
        total += Math.max(rss, this.bootedRssBytes)
      }
    }
    return total
  }

  get size(): number {
    let n = 0
    for (const list of this.spares.values()) n += list.length
    return n
  }

  pids(): number[] {
    return [...this.spares.values()].flat().map(s => s.child.pid!).filter(Boolean)
  }

  /** Ends every waiting spare (end of run, or the runner is exiting). */
  killAll(): void {
    for (const [key, list] of this.spares) for (const spare of [...list]) this.end(key, spare)
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

function signature(spec: ProcessSpec): string {
  return JSON.stringify([spec.workerEntry, spec.execArgv, Object.entries(spec.env).sort()])
}

/** Whether the process, its IPC channel and its output pipes keep the runner's event loop alive. */
function setKeepsAlive(child: ChildProcess, keep: boolean): void {
  const handles = [child, child.channel, child.stdout, child.stderr] as ({ ref?: () => void, unref?: () => void } | null | undefined)[]
  for (const handle of handles) keep ? handle?.ref?.() : handle?.unref?.()
}
