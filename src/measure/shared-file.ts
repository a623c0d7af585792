// Per-file figures inside a shared test process (isolate: false), taken by the process itself at
// each file boundary: the kernel's high-water mark is reset when a file starts (so its peak is its
// own, whatever earlier files left), and after the file a forced full GC shows what it left
// behind. No Vitest imports: the probe is injected, so this is unit-testable with fake readings.

export interface SharedProbe {
  /** Current RSS. */
  readRss(): number
  /** Memory JavaScript holds: V8 heap used plus external memory (Buffers, ArrayBuffers). */
  readJs(): number
  /** Resets the kernel's peak to the current RSS; false when the platform cannot. */
  resetPeak(): boolean
  /** A forced, synchronous full GC. */
  gc(): void
  now(): number
}

/** What a shared process measured around one file; travels to the pool with `testfileFinished`. */
export interface SharedFileFigures {
  /** 1 for the first file this process ran, 2 for the next, … */
  order: number
  /** RSS when the file started: what the process already held. */
  startRssBytes: number
  /** RSS after the forced GC at the file's end, minus the same reading before the file. */
  retainedBytes: number
  /** Heap + external memory after that GC, minus the same reading before the file. */
  retainedHeapBytes: number
  rssAfterGcBytes: number
  /** How long the forced GC (and its readings) took: the price of knowing what the file left. */
  gcMs: number
}

interface Reading {
  rss: number
  js: number
}

export class SharedFileMeter {
  private baseline: Reading | null = null
  private order = 0
  private startRss = 0
  private active = false

  constructor(private readonly probe: SharedProbe) {}

  /** A file is about to run in this process. */
  fileStarted(): void {
    // The first file's baseline is taken after a GC too, so the start-up garbage of the process
    // is not counted as something the file kept.
    this.baseline ??= this.collect()
    this.probe.resetPeak()
    this.startRss = this.probe.readRss()
    this.order++
    this.active = true
  }

  /** The file ended: GC, read what stayed, and make that the next file's baseline. */
  fileFinished(): SharedFileFigures | null {
    if (!this.active || !this.baseline) return null
    this.active = false
    const started = this.probe.now()
    const after = this.collect()
    const gcMs = this.probe.now() - started
    const before = this.baseline
    this.baseline = after
    return {
      order: this.order,
      startRssBytes: this.startRss,
      retainedBytes: after.rss - before.rss,
      retainedHeapBytes: after.js - before.js,
      rssAfterGcBytes: after.rss,
      gcMs,
    }
  }

  private collect(): Reading {
    this.probe.gc()
    return { rss: this.probe.readRss(), js: this.probe.readJs() }
  }
}
