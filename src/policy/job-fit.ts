// Fits a suite into a CI job's memory: the largest maxWorkers whose worst case (the heaviest files
// that can run at once, plus the runner) stays under the job's memory, and the shards that meet a
// target duration. Pure: the CLI feeds it the files' measured peaks and durations.
import { planShards, type PlannedShard, type ShardPlan } from './shard-plan.js'

/**
 * The runner's own memory: the main Vitest process (Vite's module graph, the reporters, the pool)
 * that holds no test file. Measured peak RSS (VmHWM) of `vitest-memory run`: 134–141 MB on
 * examples/basic and 128 MB on examples/shared with Vitest 4.1 / Node 20, 149 MB on examples/basic
 * with Vitest 5 / Node 22. A sixth more than the highest, since it grows with the config's module
 * graph and the number of files reported.
 */
export const RUNNER_MEMORY_BYTES = 175e6

/**
 * A bare Node process (VmHWM of `node -e ''`: 41 MB on Node 20, 45 MB on Node 22, Linux), rounded
 * down. A job smaller than this cannot even start the runner: such a size is a typo, not a plan.
 */
export const BARE_NODE_BYTES = 40e6

/** Shards tried at most when choosing how many meet --target-duration (as `--shards` allows). */
export const MAX_SHARDS = 256

export interface FitFile {
  /** Relative to the directory the plan is run from, forward slashes. */
  file: string
  durationMs: number | null
  peakBytes: number | null
  /** Why the file is memory_intensive ("comment", "glob …", "history: …"), or null. */
  memoryIntensive: string | null
}

export interface FitRequest {
  memoryBytes: number
  /** A fixed shard count; else chosen for targetDurationMs; else 1. */
  shards?: number
  targetDurationMs?: number
}

export interface FittedShard extends PlannedShard {
  /** How many files may run at once in this shard's job. */
  maxWorkers: number
  /** The ceiling for `--max-memory`: the job's memory less the runner's own ("1350MB"). */
  maxMemory: string
  /** The runner plus the `maxWorkers` heaviest files of the shard at their peaks. */
  predictedPeakBytes: number
  /** The files' measured durations laid out on `maxWorkers` workers (Vitest's start-up not included). */
  predictedDurationMs: number
}

export interface HeavyLane {
  files: { file: string; peakBytes: number; memoryIntensive: string }[]
  /** The job memory the heaviest of them needs, alone with the runner. */
  requiredMemoryBytes: number
  predictedDurationMs: number
}

export interface FitPlan extends ShardPlan {
  memoryBytes: number
  runnerBytes: number
  /** The largest maxWorkers that fits the whole suite (without shards) into memoryBytes. */
  maxWorkers: number
  shards: FittedShard[]
  /** memory_intensive files too heavy for the job even alone: run them elsewhere, one at a time. */
  heavyLane?: HeavyLane
}

export interface Unfit {
  file: string
  peakBytes: number
}

export type FitResult =
  | { ok: true; plan: FitPlan /** The target could not be met: the longest file alone is longer. */; targetMissed: boolean }
  | { ok: false; unfit: Unfit[] }

/** The largest number of these peaks that fit at once beside the runner (at least 1, at most all). */
export function fitWorkers(peaks: readonly number[], memoryBytes: number): number {
  const sorted = [...peaks].sort((a, b) => b - a)
  let sum = RUNNER_MEMORY_BYTES
  let workers = 0
  for (const peak of sorted) {
    if (sum + peak > memoryBytes) break
    sum += peak
    workers++
  }
  return Math.max(1, workers)
}

/** The runner plus the `workers` heaviest peaks. */
export function worstCase(peaks: readonly number[], workers: number): number {
  return (
    RUNNER_MEMORY_BYTES +
    [...peaks]
      .sort((a, b) => b - a)
      .slice(0, workers)
      .reduce((s, p) => s + p, 0)
  )
}

/** Longest first onto whichever worker frees up first (what the sequencer's order approximates). */
export function layOut(durations: readonly number[], workers: number): number {
  const free = Array.from({ length: Math.max(1, workers) }, () => 0)
  for (const d of [...durations].sort((a, b) => b - a)) {
    const at = free.indexOf(Math.min(...free))
    free[at] += d
  }
  return Math.round(Math.max(...free))
}

export function fitJob(input: FitFile[], request: FitRequest): FitResult {
  const { memoryBytes } = request
  const known = input.flatMap(f => (f.peakBytes != null ? [f.peakBytes] : []))
  const typicalPeak = median(known)
  const typicalDuration = median(input.flatMap(f => (f.durationMs != null ? [f.durationMs] : [])))
  const peakOf = (f: FitFile) => f.peakBytes ?? typicalPeak
  const tooBig = input.filter(f => RUNNER_MEMORY_BYTES + peakOf(f) > memoryBytes)
  const unfit = tooBig.filter(f => !f.memoryIntensive).map(f => ({ file: f.file, peakBytes: peakOf(f) }))
  if (unfit.length > 0) return { ok: false, unfit: unfit.sort((a, b) => b.peakBytes - a.peakBytes || a.file.localeCompare(b.file)) }
  const heavy = new Set(tooBig.map(f => f.file))
  const files = input.filter(f => !heavy.has(f.file))
  const weights = new Map(files.map(f => [f.file, { peak: peakOf(f), duration: f.durationMs ?? typicalDuration }]))

  const fitted = (count: number): FitPlan => {
    const base = planShards(
      files.map(f => ({ file: f.file, durationMs: f.durationMs, peakBytes: f.peakBytes })),
      count,
    )
    const peaksOf = (names: string[]) => names.map(n => weights.get(n)!.peak)
    const shards = base.shards.map((shard): FittedShard => {
      const peaks = peaksOf(shard.files)
      const workers = Math.min(fitWorkers(peaks, memoryBytes), Math.max(1, shard.files.length))
      return {
        ...shard,
        maxWorkers: workers,
        maxMemory: `${Math.floor((memoryBytes - RUNNER_MEMORY_BYTES) / 1e6)}MB`,
        predictedPeakBytes: Math.round(worstCase(peaks, workers)),
        predictedDurationMs: layOut(
          shard.files.map(n => weights.get(n)!.duration),
          workers,
        ),
      }
    })
    const all = peaksOf(files.map(f => f.file))
    return {
      ...base,
      memoryBytes,
      runnerBytes: RUNNER_MEMORY_BYTES,
      maxWorkers: Math.min(fitWorkers(all, memoryBytes), Math.max(1, files.length)),
      shards,
      ...(tooBig.length > 0 ? { heavyLane: heavyLane(tooBig, peakOf, f => f.durationMs ?? typicalDuration) } : {}),
    }
  }

  if (request.shards != null || request.targetDurationMs == null) return { ok: true, plan: fitted(request.shards ?? 1), targetMissed: false }
  // The fewest shards whose slowest one meets the target; past the file count nothing gets faster.
  const target = request.targetDurationMs
  const slowest = (plan: FitPlan) => Math.max(...plan.shards.map(s => s.predictedDurationMs))
  let plan = fitted(1)
  for (let count = 2; slowest(plan) > target && count <= Math.min(MAX_SHARDS, Math.max(1, files.length)); count++) plan = fitted(count)
  return { ok: true, plan, targetMissed: slowest(plan) > target }
}

function heavyLane(files: FitFile[], peakOf: (f: FitFile) => number, durationOf: (f: FitFile) => number): HeavyLane {
  const sorted = [...files].sort((a, b) => peakOf(b) - peakOf(a) || a.file.localeCompare(b.file))
  return {
    files: sorted.map(f => ({ file: f.file, peakBytes: Math.round(peakOf(f)), memoryIntensive: f.memoryIntensive! })),
    requiredMemoryBytes: Math.round(RUNNER_MEMORY_BYTES + peakOf(sorted[0])),
    predictedDurationMs: layOut(files.map(durationOf), 1),
  }
}

/** A file never measured weighs as the median measured one (as planShards and admission do). */
function median(values: number[]): number {
  if (values.length === 0) return 0
  const sorted = [...values].sort((a, b) => a - b)
  return sorted[Math.floor(sorted.length / 2)]
}
