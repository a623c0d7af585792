// Splits test files into N shards balanced by measured duration AND peak memory, so the heavy
// files land on different machines. Pure: the CLI feeds it the file list and the history.
import { schemaRef } from '../schema-ref.js'

export interface PlanFile {
  /** Relative to the directory the plan is run from, forward slashes. */
  file: string
  durationMs: number | null
  peakBytes: number | null
}

export interface PlannedShard {
  /** 1-based, as in `--shard i`. */
  index: number
  files: string[]
  estimatedDurationMs: number
  /** The heaviest file of the shard. */
  heaviestPeakBytes: number
  /** Sum of the files' peaks: what the shard would hold if every file ran at once. */
  sumPeakBytes: number
}

export interface ShardPlan {
  /** "vitest-memory/schema/shard-plan.json": the JSON Schema, resolvable from the package. */
  $schema?: string
  schemaVersion: 1
  /** 1 … N, for a CI matrix: `matrix: { shard: ${{ fromJSON(needs.plan.outputs.plan).shard }} }`. */
  shard: number[]
  shards: PlannedShard[]
  /** Files with no measured history, weighed as the median measured file. */
  unmeasured: string[]
}

/** Weights used for a file nobody has measured yet, when no file at all has been measured. */
const DEFAULT_DURATION_MS = 1000
const DEFAULT_PEAK_BYTES = 100e6

function median(values: number[], fallback: number): number {
  if (values.length === 0) return fallback
  const sorted = [...values].sort((a, b) => a - b)
  return sorted[Math.floor(sorted.length / 2)]
}

export function planShards(input: PlanFile[], count: number): ShardPlan {
  if (!Number.isInteger(count) || count < 1) throw new Error(`Invalid shard count ${count}: use a whole number of at least 1.`)
  const byFile = new Map<string, PlanFile>()
  for (const f of input) {
    // The same file in two projects runs twice under one filter: its costs add up, its peak is the larger.
    const seen = byFile.get(f.file)
    byFile.set(
      f.file,
      seen ? { file: f.file, durationMs: sumOrNull(seen.durationMs, f.durationMs), peakBytes: maxOrNull(seen.peakBytes, f.peakBytes) } : { ...f },
    )
  }
  const files = [...byFile.values()]
  const typicalDuration = median(
    files.flatMap(f => (f.durationMs != null ? [f.durationMs] : [])),
    DEFAULT_DURATION_MS,
  )
  const typicalPeak = median(
    files.flatMap(f => (f.peakBytes != null ? [f.peakBytes] : [])),
    DEFAULT_PEAK_BYTES,
  )
  const weighed = files.map(f => ({ file: f.file, duration: f.durationMs ?? typicalDuration, peak: f.peakBytes ?? typicalPeak }))
  const totalDuration = Math.max(
    1,
    weighed.reduce((s, f) => s + f.duration, 0),
  )
  const totalPeak = Math.max(
    1,
    weighed.reduce((s, f) => s + f.peak, 0),
  )
  const cost = (duration: number, peak: number) => Math.max(duration / totalDuration, peak / totalPeak)
  // Largest first (greedy "longest processing time"), on whichever resource the file uses most.
  weighed.sort((a, b) => cost(b.duration, b.peak) - cost(a.duration, a.peak) || b.peak - a.peak || a.file.localeCompare(b.file))

  const shards = Array.from({ length: count }, (_, i) => ({ index: i + 1, files: [] as string[], duration: 0, sumPeak: 0, heaviest: 0 }))
  for (const f of weighed) {
    let best = shards[0]
    let bestCost = Infinity
    for (const shard of shards) {
      const c = cost(shard.duration + f.duration, shard.sumPeak + f.peak)
      if (c < bestCost - 1e-12 || (Math.abs(c - bestCost) <= 1e-12 && shard.files.length < best.files.length)) {
        best = shard
        bestCost = c
      }
    }
    best.files.push(f.file)
    best.duration += f.duration
    best.sumPeak += f.peak
    best.heaviest = Math.max(best.heaviest, f.peak)
  }
  return {
    $schema: schemaRef('shard-plan'),
    schemaVersion: 1,
    shard: shards.map(s => s.index),
    shards: shards.map(s => ({
      index: s.index,
      files: [...s.files].sort(),
      estimatedDurationMs: Math.round(s.duration),
      heaviestPeakBytes: Math.round(s.heaviest),
      sumPeakBytes: Math.round(s.sumPeak),
    })),
    unmeasured: files
      .filter(f => f.durationMs == null && f.peakBytes == null)
      .map(f => f.file)
      .sort(),
  }
}

function sumOrNull(a: number | null, b: number | null): number | null {
  return a == null && b == null ? null : (a ?? 0) + (b ?? 0)
}

function maxOrNull(a: number | null, b: number | null): number | null {
  return a == null && b == null ? null : Math.max(a ?? 0, b ?? 0)
}
