// The hard limit: which one applies to a file (same precedence as budgets) and when it is broken.
import type { FileAnnotations } from './annotations.js'
import { closestSize, type FileSize } from './per-file.js'
import type { ResolvedMemoryOptions } from '../options.js'

export type FileLimit = FileSize

/** While a file with a limit grows (or is near it) the tree is sampled this often: 1 GB/s of growth overshoots ~10 MB. */
export const LIMIT_SAMPLE_INTERVAL_MS = 10
/**
 * Above this share of its limit a file is sampled fast whatever it does: a jump from there could
 * cross the limit between two slow samples.
 */
export const LIMIT_NEAR_SHARE = 0.5
/**
 * Growing this fast or faster keeps the fast pace: one slow interval (50 ms by default) at this
 * rate overshoots the limit by ~1 MB, while a flat file drifts by far less.
 */
export const LIMIT_GROWING_BYTES_PER_SECOND = 20 * 1024 * 1024

/** A file's previous tree sample: the time it was taken and its summed RSS. */
export interface PreviousSample {
  at: number
  treeRssBytes: number
}

/**
 * How often to sample a file's tree next. Under a hard limit: fast while it grows or is near the
 * limit, at the base pace while it is flat and far below it (a flat file at 10 ms is 100 /proc
 * reads a second for nothing). Without a limit: the base pace; the exact peak needs no sampling.
 */
export function nextSampleIntervalMs(limit: FileLimit | null, baseMs: number, sample: PreviousSample | null, previous: PreviousSample | null): number {
  if (limit == null) return baseMs
  // Until two samples tell the rate, the file counts as growing.
  if (sample == null || previous == null) return Math.min(baseMs, LIMIT_SAMPLE_INTERVAL_MS)
  const elapsedMs = Math.max(1, sample.at - previous.at)
  const growing = ((sample.treeRssBytes - previous.treeRssBytes) * 1000) / elapsedMs >= LIMIT_GROWING_BYTES_PER_SECOND
  const near = sample.treeRssBytes >= limit.bytes * LIMIT_NEAR_SHARE
  return growing || near ? Math.min(baseMs, LIMIT_SAMPLE_INTERVAL_MS) : baseMs
}

export function limitFor(relativeFile: string, annotations: FileAnnotations, options: Pick<ResolvedMemoryOptions, 'limitBytes' | 'limits'>): FileLimit | null {
  return closestSize(relativeFile, annotations.limitBytes, options.limits, options.limitBytes)
}

export function isOverLimit(treeRssBytes: number, limit: FileLimit | null): boolean {
  return limit != null && treeRssBytes > limit.bytes
}
