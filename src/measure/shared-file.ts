// Per-file figures inside a shared test process (isolate: false), taken by the process itself at
// each file boundary: the kernel's high-water mark is reset when a file starts (so its peak is its
// own, whatever earlier files left), and after the file a forced full GC shows what it left
// behind. No Vitest imports: the probe is injected, so this is unit-testable with fake readings.
//
// A full GC costs 10–60 ms in a warmed Vitest worker (its heap grows with the module cache), more
// than a small test file takes. So the GC runs only when JavaScript's memory grew by at least
// `gcAboveBytes` since the last forced GC (or after every file when asked). Memory before a GC is
// never below what the GC leaves, so a file that did not reach that growth kept less than it; with
// `gcAboveBytes` at half the naming threshold, files that kept little between two GCs add up to
// less than half the threshold, and a clean file measured after them is never named.
//
// Garbage allowance: a file also leaves garbage that only a GC tells from what it kept (in vm mode
// a whole context per file: a jsdom window, ~10 MB), so growth alone called a GC every 2–3 small
// DOM files (0.8 s of GC for 60 files, most of vm mode's cost over vmForks). Each forced GC shows
// what it collected per file; the least of the last GARBAGE_SAMPLES is allowed per file since the
// last GC, at most `gcAboveBytes` in all. The least, so the allowance never exceeds the garbage the
// files really leave and what clean files keep between two GCs still stays under `gcAboveBytes`
// (a file that kept more than the allowance covered still triggers); at most `gcAboveBytes`, so a
// file keeping the whole naming threshold (2 × gcAboveBytes) always triggers one.
import type { SharedFileFigures } from '../model.js'

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

export interface SharedMeterSettings {
  /** Force a GC after a file when JavaScript's memory grew by at least this since the last one. */
  gcAboveBytes: number
  /** Force a GC after every file, whatever the growth (exact per-file figures, slower). */
  gcEveryFile: boolean
}

/** What a vm file left, known once its context was let go (the next file's start). */
export type LateRetained = Pick<SharedFileFigures, 'order' | 'retainedBytes' | 'retainedHeapBytes' | 'retainedFiles' | 'gcMs'>

interface Reading {
  rss: number
  js: number
}

/** How many recent GCs' garbage per file the allowance takes the least of: a few, so one odd file does not set it. */
export const GARBAGE_SAMPLES = 4

export class SharedFileMeter {
  private baseline: Reading | null = null
  private order = 0
  private startRss = 0
  private active = false
  /** Files since the last forced GC, this one included. */
  private sinceGc = 0
  /** vm mode: the file that ended whose GC waits for its context to be let go. */
  private unsettled = false
  /** JavaScript memory each of the last forced GCs collected per file it covered, newest last. */
  private readonly garbagePerFile: number[] = []

  constructor(
    private readonly probe: SharedProbe,
    private readonly settings: SharedMeterSettings,
  ) {}

  /** RSS when the running file started, or null between files. */
  get startRssBytes(): number | null {
    return this.active ? this.startRss : null
  }

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

  /** The file ended: GC when due, read what stayed, and make that the next baseline. */
  fileFinished(): SharedFileFigures | null {
    if (!this.active || !this.baseline) return null
    this.active = false
    this.sinceGc++
    const figures = { order: this.order, startRssBytes: this.startRss }
    const gc = this.collectIfDue()
    if (!gc) return { ...figures, ...this.uncollected() }
    const { retained, endRssBytes } = gc
    return { ...figures, ...retained, endRssBytes }
  }

  /**
   * vm mode: the file ended, but its own context is still alive (Vitest lets go of it when it sets
   * up the next one): its figures without the GC, which settlePrevious() takes at the next file.
   */
  fileEndedUnsettled(): SharedFileFigures | null {
    if (!this.active || !this.baseline) return null
    this.active = false
    this.sinceGc++
    this.unsettled = true
    return { order: this.order, startRssBytes: this.startRss, ...this.uncollected() }
  }

  /**
   * vm mode, before the next file starts (the previous context is let go): the GC when due and
   * what the previous file left, for the pool to add to that file's figures; null when no GC was
   * due (it provably kept less than the trigger) or no file waits.
   */
  settlePrevious(): LateRetained | null {
    if (!this.unsettled || !this.baseline) return null
    this.unsettled = false
    const gc = this.collectIfDue()
    return gc && { order: this.order, ...gc.retained }
  }

  /** A file's figures when no GC ran: nothing known retained, the RSS as it stands. */
  private uncollected() {
    return { retainedBytes: null, retainedHeapBytes: null, retainedFiles: 0, endRssBytes: this.probe.readRss(), gcMs: 0 }
  }

  /**
   * The GC, when due (every file, or the heap grew past the trigger since the last one): what the
   * files since then retained, and the baseline moved to after it; null when not due.
   */
  private collectIfDue(): { retained: Omit<LateRetained, 'order'>; endRssBytes: number } | null {
    const before = this.baseline
    if (!before) return null
    const js = this.probe.readJs()
    if (!this.settings.gcEveryFile && js - before.js < this.settings.gcAboveBytes + this.garbageAllowance()) return null
    const started = this.probe.now()
    const after = this.collect()
    const gcMs = this.probe.now() - started
    if (this.sinceGc > 0) {
      this.garbagePerFile.push(Math.max(0, js - after.js) / this.sinceGc)
      if (this.garbagePerFile.length > GARBAGE_SAMPLES) this.garbagePerFile.shift()
    }
    this.baseline = after
    const retainedFiles = this.sinceGc
    this.sinceGc = 0
    const retained = { retainedBytes: after.rss - before.rss, retainedHeapBytes: after.js - before.js, retainedFiles, gcMs }
    return { retained, endRssBytes: after.rss }
  }

  /** The garbage the files since the last GC are expected to have left (header: why the least, why capped). */
  private garbageAllowance(): number {
    if (this.garbagePerFile.length < GARBAGE_SAMPLES) return 0
    return Math.min(Math.min(...this.garbagePerFile) * this.sinceGc, this.settings.gcAboveBytes)
  }

  private collect(): Reading {
    this.probe.gc()
    return { rss: this.probe.readRss(), js: this.probe.readJs() }
  }
}
