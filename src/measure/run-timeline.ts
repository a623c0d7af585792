// The run's timeline: which file ran in which worker slot when, and the summed RSS of every
// running file's process tree over time. Fed by each pool worker's tree sampler; read once by the
// reporter at the end of the run. Lives on globalThis for the same reason as the shared state:
// the pool and the reporter are loaded through different module graphs.
import type { TimelinePoint } from '../model.js'

export interface FileSpan {
  project: string
  /** Absolute path of the test file. */
  file: string
  /** Lowest slot free when the file started: 0 … maxWorkers − 1. */
  slot: number
  /** Epoch milliseconds. */
  startedAt: number
  endedAt: number | null
}

interface Running {
  span: FileSpan
  rssBytes: number
}

/** Points kept in the report: a long run is downsampled to this many (keeping each bucket's max). */
export const MAX_TIMELINE_POINTS = 2000
/** Samples closer together than this replace each other (keeping the higher sum). */
const MIN_POINT_GAP_MS = 20

export class RunTimeline {
  /** Epoch ms of the first file's start since the last clear, or null before any. */
  startedAt: number | null = null
  private readonly running = new Map<object, Running>()
  private readonly spans: FileSpan[] = []
  private points: TimelinePoint[] = []

  /** A worker begins a file: it takes the lowest free slot. */
  begin(worker: object, project: string, file: string, now = Date.now()): FileSpan {
    this.end(worker, now)
    this.startedAt ??= now
    const taken = new Set([...this.running.values()].map(r => r.span.slot))
    let slot = 0
    while (taken.has(slot)) slot++
    const span: FileSpan = { project, file, slot, startedAt: now, endedAt: null }
    this.running.set(worker, { span, rssBytes: 0 })
    this.spans.push(span)
    return span
  }

  /** A sample of the worker's process tree; ignored while the worker runs no file. */
  update(worker: object, rssBytes: number, now = Date.now()): void {
    const running = this.running.get(worker)
    if (!running) return
    running.rssBytes = rssBytes
    this.addPoint(now)
  }

  /** The worker's file finished, or its process is gone. Safe to call more than once. */
  end(worker: object, now = Date.now()): void {
    const running = this.running.get(worker)
    if (!running) return
    running.span.endedAt = now
    this.running.delete(worker)
    this.addPoint(now)
  }

  spanOf(worker: object): FileSpan | undefined {
    return this.running.get(worker)?.span
  }

  /** The last span of a file (a file can run again in watch mode). */
  findSpan(project: string, file: string): FileSpan | undefined {
    for (let i = this.spans.length - 1; i >= 0; i--) {
      const span = this.spans[i]
      if (span.project === project && span.file === file) return span
    }
    return undefined
  }

  /** The summed-RSS curve, at most `max` points, each bucket represented by its highest point. */
  timeline(max = MAX_TIMELINE_POINTS): TimelinePoint[] {
    if (this.points.length <= max) return [...this.points]
    const bucket = Math.ceil(this.points.length / max)
    const out: TimelinePoint[] = []
    for (let i = 0; i < this.points.length; i += bucket) {
      const slice = this.points.slice(i, i + bucket)
      out.push(slice.reduce((a, b) => (b.rssBytes > a.rssBytes ? b : a)))
    }
    return out
  }

  /** Forgets the run (the reporter calls this once it has read it). Running files stay. */
  clear(): void {
    this.spans.length = 0
    this.points = []
    this.startedAt = this.running.size > 0 ? Math.min(...[...this.running.values()].map(r => r.span.startedAt)) : null
    for (const r of this.running.values()) this.spans.push(r.span)
  }

  private addPoint(now: number): void {
    if (this.startedAt == null) return
    let sum = 0
    for (const r of this.running.values()) sum += r.rssBytes
    const point = { t: Math.max(0, now - this.startedAt), rssBytes: sum }
    const last = this.points.at(-1)
    // A drop to zero is kept as its own point so the chart shows idle gaps.
    if (last && point.t - last.t < MIN_POINT_GAP_MS && sum !== 0 && last.rssBytes !== 0) {
      if (sum > last.rssBytes) last.rssBytes = sum
      return
    }
    this.points.push(point)
  }
}

const KEY = Symbol.for('vitest-memory.run-timeline')

export function runTimeline(): RunTimeline {
  const holder = globalThis as { [KEY]?: RunTimeline }
  holder[KEY] ??= new RunTimeline()
  return holder[KEY]
}
