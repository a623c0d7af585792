// Samples the summed RSS of a process and all its descendants while a file runs.
// The process's own peak comes from the kernel (exact); the tree's peak can only be sampled.
// After the process dies /proc/<pid> is gone, so what a crash report needs (the root's last
// high-water mark, the descendants that may now be orphans) is kept from the last sample.
import { listDescendants, ThreadScan } from './descendants.js'
import { hasProcfs, readCommand, readProcessMemory, readStartTime } from './procfs.js'
import type { PeakProcess } from '../model.js'

export interface TreeSample {
  at: number
  /** RSS of the root process now. */
  rootRssBytes: number
  /** High-water mark of the root process (VmHWM) now; equals rootRssBytes without procfs. */
  rootHwmBytes: number
  /** Sum of the RSS of the root and all its live descendants now. */
  treeRssBytes: number
  /** The heaviest descendant, when there is one. */
  heaviestChild: { pid: number; rssBytes: number } | null
}

/** The heaviest processes kept for a tree peak: enough to say which one made it. */
export const PEAK_PROCESSES_KEPT = 5
/**
 * The list is taken again only when the tree's peak rose this much: a tree that grows sample by
 * sample would otherwise read every command line at every sample.
 */
const PEAK_PROCESSES_STEP_BYTES = 1_000_000

/** A descendant seen alive, with its kernel start time so a reused pid is never mistaken for it. */
export interface KnownProcess {
  pid: number
  startTime: number
}

export class TreeSampler {
  /** Highest summed tree RSS seen since start (or the last reset). */
  treePeakBytes = 0
  /** Highest VmHWM of the root seen since start (or the last reset): its peak if it dies. */
  rootPeakBytes = 0
  last: TreeSample | null = null
  /** The processes of the tree at its peak (since start or the last reset), when it had subprocesses. */
  peakProcesses: PeakProcess[] | null = null
  private peakProcessesAt = 0
  /** Every descendant seen since start: they may outlive the root and must then be killed. */
  readonly seen = new Map<number, KnownProcess>()
  private timer: NodeJS.Timeout | undefined
  private readonly procfs = hasProcfs()
  private readonly threads = new ThreadScan()

  constructor(
    readonly pid: number,
    private intervalMs: number,
    private readonly onSample?: (sample: TreeSample) => void,
  ) {}

  start(): void {
    this.timer ??= setInterval(() => void this.tick(), this.intervalMs)
    this.timer.unref()
  }

  stop(): void {
    clearInterval(this.timer)
    this.timer = undefined
  }

  /** Samples at a new pace from now on (faster while a hard limit must be enforced). */
  setInterval(intervalMs: number): void {
    if (intervalMs === this.intervalMs) return
    this.intervalMs = intervalMs
    if (this.timer) {
      this.stop()
      this.start()
    }
  }

  /** Starts a new measurement window (a new file on the same process). */
  reset(): void {
    this.treePeakBytes = 0
    this.rootPeakBytes = 0
    this.peakProcesses = null
    this.peakProcessesAt = 0
  }

  /** Takes one sample now; synchronous on Linux so it can run inside a message handler. */
  sampleNow(): TreeSample | null {
    if (!this.procfs) return this.last
    const root = readProcessMemory(this.pid)
    if (!root) return null
    let treeRssBytes = root.rssBytes
    let heaviestChild: TreeSample['heaviestChild'] = null
    const members: { pid: number; rssBytes: number }[] = []
    for (const pid of listDescendants(this.pid, this.threads)) {
      const memory = readProcessMemory(pid)
      if (!memory) continue
      if (!this.seen.has(pid)) {
        const startTime = readStartTime(pid)
        if (startTime !== null) this.seen.set(pid, { pid, startTime })
      }
      treeRssBytes += memory.rssBytes
      members.push({ pid, rssBytes: memory.rssBytes })
      if (!heaviestChild || memory.rssBytes > heaviestChild.rssBytes) heaviestChild = { pid, rssBytes: memory.rssBytes }
    }
    if (members.length > 0 && treeRssBytes > this.treePeakBytes && treeRssBytes >= this.peakProcessesAt + PEAK_PROCESSES_STEP_BYTES) {
      this.peakProcessesAt = treeRssBytes
      this.peakProcesses = [{ pid: this.pid, command: null, rssBytes: root.rssBytes }, ...members.map(m => ({ ...m, command: readCommand(m.pid) }))]
        .sort((a, b) => b.rssBytes - a.rssBytes)
        .slice(0, PEAK_PROCESSES_KEPT)
    }
    return this.record({ at: Date.now(), rootRssBytes: root.rssBytes, rootHwmBytes: root.hwmBytes, treeRssBytes, heaviestChild })
  }

  private tick(): void {
    // Without procfs the process reports its own readings (ownReading): nothing to read from here.
    if (this.procfs) this.sampleNow()
  }

  /**
   * Portable fallback: the RSS the process reported of itself over IPC (pool/self-readings.ts),
   * taken as the root's and the tree's reading (descendants cannot be listed without procfs).
   * Ignored where procfs is read: the kernel's figures are exact.
   */
  ownReading(rssBytes: number): void {
    if (this.procfs) return
    this.record({ at: Date.now(), rootRssBytes: rssBytes, rootHwmBytes: rssBytes, treeRssBytes: rssBytes, heaviestChild: null })
  }

  private record(sample: TreeSample): TreeSample {
    this.last = sample
    if (sample.treeRssBytes > this.treePeakBytes) this.treePeakBytes = sample.treeRssBytes
    if (sample.rootHwmBytes > this.rootPeakBytes) this.rootPeakBytes = sample.rootHwmBytes
    this.onSample?.(sample)
    return sample
  }
}
