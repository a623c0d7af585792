// Per-test peaks inside a test file's process. The kernel's high-water mark is reset when a test
// starts and read when it ends, so each test's peak is exact; the readings in between (hooks,
// imports) are kept too, so the file's own peak stays the maximum over the whole file.
// No Vitest imports: the probe is injected, so this is unit-testable with fake readings.
import type { TestPeakMethod, TestMemory } from '../model.js'

/** How the test process reads and resets its own memory. */
export interface MemoryProbe {
  /** Peak RSS since process start or the last successful reset, and current RSS: one reading. */
  read(): { peakBytes: number; rssBytes: number }
  /** Resets the peak to the current RSS; false when the platform cannot. */
  resetPeak(): boolean
  heapUsed(): number
  /** A forced full GC, when leak detection asked for one (`--expose-gc`). */
  gc?: () => void
}

interface ActiveTest {
  startedAt: number
  startRssBytes: number
  heapAtStart: number
  overlapping: boolean
}

export class TestPeakTracker {
  private readonly active = new Map<string, ActiveTest>()
  private finished = 0
  private resettable = true
  /** Highest reading of the whole file, whatever was reset in between. */
  private fileMax = 0
  /** Peak from process start until the first test started: imports, module code, beforeAll. */
  setupPeakRssBytes: number | null = null

  constructor(
    private readonly probe: MemoryProbe,
    private readonly now: () => number = () => performance.now(),
  ) {}

  testStarted(id: string): void {
    const overlapping = this.active.size > 0
    const reading = this.probe.read()
    if (overlapping) {
      // Never reset while another test runs: that would cut its peak short.
      for (const other of this.active.values()) other.overlapping = true
    } else {
      const since = this.note(reading.peakBytes)
      this.setupPeakRssBytes ??= since
      this.resettable = this.probe.resetPeak() && this.resettable
    }
    this.active.set(id, {
      startedAt: this.now(),
      // Read before the reset: resetting the peak leaves the current RSS as it is.
      startRssBytes: reading.rssBytes,
      heapAtStart: this.probe.heapUsed(),
      overlapping,
    })
  }

  /** Returns the test's measurement, or null for a test this tracker never saw start. */
  testFinished(id: string): TestMemory | null {
    const test = this.active.get(id)
    if (!test) return null
    const peak = this.note(this.probe.read().peakBytes)
    const heapDeltaBytes = this.probe.heapUsed() - test.heapAtStart
    this.active.delete(id)
    const alone = this.active.size === 0
    let heapAfterGcBytes: number | null = null
    if (alone && this.probe.gc) {
      this.probe.gc()
      heapAfterGcBytes = this.probe.heapUsed()
    }
    // Reset again so hooks between tests (afterAll, the next describe's beforeAll) are not
    // charged to the next test.
    if (alone) this.resettable = this.probe.resetPeak() && this.resettable
    return {
      order: this.finished++,
      peakRssBytes: Math.max(peak, test.startRssBytes),
      startRssBytes: test.startRssBytes,
      heapDeltaBytes,
      heapAfterGcBytes,
      // Rounded: the figure rides on task.meta, which Vitest UI shows as it is.
      durationMs: Math.round((this.now() - test.startedAt) * 10) / 10,
      overlapping: test.overlapping,
      method: this.method,
    }
  }

  get method(): TestPeakMethod {
    return this.resettable ? 'clear_refs' : 'running-max'
  }

  /**
   * A new file starts in this process (a shared process, isolate: false): the file's maximum and
   * setup phase start afresh. The caller has just reset the kernel's peak.
   */
  fileStarted(): void {
    this.fileMax = 0
    this.setupPeakRssBytes = null
    this.finished = 0
  }

  /** The file's peak over its whole run, and its setup phase (all of it when no test ran). */
  fileFinished(): { peakRssBytes: number; setupPeakRssBytes: number } {
    this.note(this.probe.read().peakBytes)
    return { peakRssBytes: this.fileMax, setupPeakRssBytes: this.setupPeakRssBytes ?? this.fileMax }
  }

  /** Keeps the file's maximum; returns the reading itself. */
  private note(reading: number): number {
    this.fileMax = Math.max(this.fileMax, reading)
    return reading
  }
}
