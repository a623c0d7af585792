// Admission: a test file starts only when its predicted peak fits under the memory ceiling.
// One policy, its thresholds named; no processes here — readings come in as functions, so the
// gate is unit-tested with fake memory and a fake clock.

/** `maxMemory: 'auto'` uses this share of the container's limit (or of total memory). */
export const AUTO_CEILING_SHARE = 0.8
/** Predicted peak of a file never measured, when no file has been measured either. */
export const UNKNOWN_FILE_PEAK_BYTES = 256e6

export interface AdmissionStatus {
  inUseBytes: number
  ceilingBytes: number
  running: number
  waiting: number
}

export interface Ticket {
  /** Frees the file's reservation; idempotent. */
  release(): void
}

interface Reservation {
  predictedBytes: number
  /** The file's current tree RSS, read fresh each time room is computed. */
  currentBytes: () => number
}

interface Waiter {
  predictedBytes: number
  currentBytes: () => number
  admit: (ticket: Ticket) => void
}

export class AdmissionGate {
  private readonly running = new Set<Reservation>()
  private readonly queue: Waiter[] = []

  constructor(
    readonly ceilingBytes: number,
    /** Memory held outside running files (spare processes), read fresh each time. */
    private readonly otherBytes: () => number = () => 0,
    private readonly onWait?: (status: AdmissionStatus) => void,
  ) {}

  /**
   * Resolves when the file may start. Files are admitted in arrival order (the head of the
   * queue first), so a large file is never starved by smaller ones behind it. A file is always
   * admitted when nothing else runs, so the run never deadlocks and never runs fewer than one
   * file — a file predicted larger than the ceiling therefore runs alone.
   */
  admit(predictedBytes: number, currentBytes: () => number = () => 0): Promise<Ticket> {
    return new Promise(admit => {
      this.queue.push({ predictedBytes, currentBytes, admit })
      this.reevaluate()
      if (this.queue.length > 0) this.onWait?.(this.status())
    })
  }

  /** Admits every waiting file that now fits; call when memory readings may have changed. */
  reevaluate(): void {
    while (this.queue.length > 0) {
      const head = this.queue[0]
      if (!this.fits(head.predictedBytes)) return
      this.queue.shift()
      head.admit(this.reserve(head))
    }
  }

  status(): AdmissionStatus {
    return { inUseBytes: this.inUseBytes(), ceilingBytes: this.ceilingBytes, running: this.running.size, waiting: this.queue.length }
  }

  get waiting(): number {
    return this.queue.length
  }

  /** The predicted peaks of the files waiting for room: spares booted ahead must leave it to them. */
  waitingBytes(): number {
    return this.queue.reduce((total, waiter) => total + waiter.predictedBytes, 0)
  }

  /**
   * Memory counted as taken: for each running file the larger of what it holds now and what it
   * is predicted to reach (it may not have peaked yet), plus memory held outside files.
   */
  inUseBytes(): number {
    let total = this.otherBytes()
    for (const r of this.running) total += Math.max(r.currentBytes(), r.predictedBytes)
    return total
  }

  private fits(predictedBytes: number): boolean {
    if (this.running.size === 0) return true
    return this.inUseBytes() + predictedBytes <= this.ceilingBytes
  }

  private reserve(waiter: Waiter): Ticket {
    const reservation: Reservation = { predictedBytes: waiter.predictedBytes, currentBytes: waiter.currentBytes }
    this.running.add(reservation)
    let released = false
    return {
      release: () => {
        if (released) return
        released = true
        this.running.delete(reservation)
        this.reevaluate()
      },
    }
  }
}

/**
 * The predicted peak of a file: its last measured tree peak, else the median of the files that
 * were measured, else UNKNOWN_FILE_PEAK_BYTES.
 */
export function predictPeak(lastPeak: number | null, knownPeaks: number[]): number {
  return lastPeak ?? median(knownPeaks) ?? UNKNOWN_FILE_PEAK_BYTES
}

export function median(values: number[]): number | null {
  if (values.length === 0) return null
  const sorted = [...values].sort((a, b) => a - b)
  const middle = Math.floor(sorted.length / 2)
  return sorted.length % 2 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2
}

/** The ceiling for `maxMemory: 'auto'`: a share of the container's limit, else of total memory. */
export function autoCeiling(cgroupLimitBytes: number | null, totalMemoryBytes: number): number {
  const available = cgroupLimitBytes != null ? Math.min(cgroupLimitBytes, totalMemoryBytes) : totalMemoryBytes
  return Math.floor(available * AUTO_CEILING_SHARE)
}
