// Samples the summed RSS of a process and all its descendants while a file runs.
// The process's own peak comes from the kernel (exact); the tree's peak can only be sampled.
import pidusage from 'pidusage'
import { processTable } from './process-table.js'
import { hasProcfs, readProcessMemory } from './procfs.js'

export interface TreeSample {
  at: number
  /** RSS of the root process now. */
  rootRssBytes: number
  /** Sum of the RSS of the root and all its live descendants now. */
  treeRssBytes: number
  /** The heaviest descendant, when there is one. */
  heaviestChild: { pid: number, rssBytes: number } | null
}

export class TreeSampler {
  /** Highest summed tree RSS seen since start (or the last reset). */
  treePeakBytes = 0
  last: TreeSample | null = null
  private timer: NodeJS.Timeout | undefined
  private readonly procfs = hasProcfs()

  constructor(
    readonly pid: number,
    private readonly intervalMs: number,
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

  /** Starts a new measurement window (a new file on the same process). */
  reset(): void {
    this.treePeakBytes = 0
  }

  /** Takes one sample now; synchronous on Linux so it can run inside a message handler. */
  sampleNow(): TreeSample | null {
    if (!this.procfs) return this.last
    const root = readProcessMemory(this.pid)
    if (!root) return null
    let treeRssBytes = root.rssBytes
    let heaviestChild: TreeSample['heaviestChild'] = null
    const table = processTable()
    table.refresh()
    for (const pid of table.descendantsOf(this.pid)) {
      const memory = readProcessMemory(pid)
      if (!memory) continue
      treeRssBytes += memory.rssBytes
      if (!heaviestChild || memory.rssBytes > heaviestChild.rssBytes) heaviestChild = { pid, rssBytes: memory.rssBytes }
    }
    return this.record({ at: Date.now(), rootRssBytes: root.rssBytes, treeRssBytes, heaviestChild })
  }

  private async tick(): Promise<void> {
    if (this.procfs) {
      this.sampleNow()
      return
    }
    // Portable fallback: the root process only (descendants cannot be listed without procfs).
    try {
      const { memory } = await pidusage(this.pid)
      this.record({ at: Date.now(), rootRssBytes: memory, treeRssBytes: memory, heaviestChild: null })
    } catch {
      // the process is gone
    }
  }

  private record(sample: TreeSample): TreeSample {
    this.last = sample
    if (sample.treeRssBytes > this.treePeakBytes) this.treePeakBytes = sample.treeRssBytes
    this.onSample?.(sample)
    return sample
  }
}
