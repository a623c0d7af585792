// `spareProcesses: 'auto'` (the default): how many test processes to keep booted ahead, from the
// machine's free cores and memory, the files still to come and the room left under --max-memory.
// Pure: readings come in as numbers.
//
// A spare pays only on a core no file runs on: booted beside files that already use every core,
// it takes CPU from them and the run gets slower and costs more CPU than `forks` (measured:
// docs/benchmarks.md, "Every core busy").

/** More spares than this never paid off: a file takes one at a time per worker. */
export const AUTO_MAX_SPARES = 4
/** Spares may hold at most this share of the memory still available on the machine. */
export const AUTO_SPARE_MEMORY_SHARE = 0.25
/**
 * What one spare is assumed to hold before any was measured: a booted Vitest worker is ~60 MB,
 * with jsdom loaded ~140 MB (Node 20/22); the larger, so the first guess never overcommits.
 */
export const SPARE_BYTES_BEFORE_MEASURED = 150e6

/** Cores no file runs on: while there is none, no spare is booted (and no memory needs reading). */
export function idleCoresFor(cpus: number, maxWorkers: number): number {
  return Math.max(0, cpus - maxWorkers)
}

export interface SpareSizing {
  /** Cores of the machine (availableParallelism). */
  cpus: number
  /** Files Vitest runs at once. */
  maxWorkers: number
  /** Files of the run no worker has taken yet, or null when the queue is unknown (no MemorySequencer). */
  filesToCome: number | null
  /** The spares load a test environment's library (the recent files run jsdom, happy-dom, …). */
  preloading: boolean
  /** Memory the machine (or container) still has available, or null when unknown. */
  availableMemoryBytes: number | null
  /** Under --max-memory: the room left for spares after the running and waiting files; null without a ceiling. */
  roomUnderCeilingBytes: number | null
  /** What one spare holds (the largest seen), or null before any was measured. */
  spareBytes: number | null
}

/**
 * None while the files Vitest runs at once take every core. Otherwise one spare per idle core,
 * plus one when the spares load an environment's library: a spare loading jsdom takes about three
 * times as long as a trivial file it then runs, so with one spare per idle core the spares, not
 * the files, set the pace. A plain Node spare sets the pace too (it boots several times longer than
 * a trivial file runs), but a second one booting beside it did not help: the one spare already
 * keeps the idle core busy, and a second only competes with it and the running file (figures:
 * docs/benchmarks.md, "Where the time went"). At most AUTO_MAX_SPARES, and never more than the files still to come.
 * Then as many as fit in the memory: never more than the room under the ceiling, so the spares
 * cannot push a --max-memory ceiling over — which may mean none.
 */
export function autoSpareCount(sizing: SpareSizing): number {
  const idleCores = idleCoresFor(sizing.cpus, sizing.maxWorkers)
  if (idleCores <= 0) return 0
  let count = Math.min(AUTO_MAX_SPARES, idleCores + (sizing.preloading ? 1 : 0))
  if (sizing.filesToCome != null) count = Math.min(count, sizing.filesToCome)
  const perSpare = sizing.spareBytes ?? SPARE_BYTES_BEFORE_MEASURED
  if (sizing.availableMemoryBytes != null) {
    count = Math.min(count, Math.floor((sizing.availableMemoryBytes * AUTO_SPARE_MEMORY_SHARE) / perSpare))
  }
  if (sizing.roomUnderCeilingBytes != null) {
    count = Math.min(count, Math.floor(sizing.roomUnderCeilingBytes / perSpare))
  }
  return Math.max(0, count)
}
