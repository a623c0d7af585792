// Recycling a shared process (isolate: false): when what it holds after a file passes a threshold,
// it is replaced before the next file. A pure decision; the pool does the restart.

/**
 * `recycleAbove: 'auto'`: the workers together may keep this share of the machine's (or the
 * container's) memory between files. The other half is headroom for the peaks the files reach
 * on top of what their process holds, and for the runner itself.
 */
export const AUTO_RECYCLE_SHARE = 0.5

/** The threshold for `recycleAbove: 'auto'`: an equal part of the share for each worker. */
export function autoRecycleAbove(cgroupLimitBytes: number | null, totalMemoryBytes: number, workers: number): number {
  const available = cgroupLimitBytes != null ? Math.min(cgroupLimitBytes, totalMemoryBytes) : totalMemoryBytes
  return Math.floor((available * AUTO_RECYCLE_SHARE) / Math.max(1, workers))
}

/** Why the process must be replaced now, or null to keep it. */
export function recycleReason(rssAfterFileBytes: number | null, thresholdBytes: number | null): string | null {
  if (thresholdBytes == null || rssAfterFileBytes == null || rssAfterFileBytes <= thresholdBytes) return null
  return 'rss-above-threshold'
}

/**
 * A shared process whose RSS after a file reached this share of its recycling threshold gets one
 * spare booted for its successor, so the replacement starts warm. Below it none is kept: a shared
 * process is replaced rarely (most runs never), and spares booted at its start cost CPU the run
 * never got back (vm mode, 20 jsdom files, one worker: two spares loading jsdom took 1.4–1.8 s of
 * CPU on 2 cores, ~40 % of the run's, and made it slower). 0.8: a file adding a fifth of the threshold
 * between two readings is rare, and a spare still has a whole file's time to boot.
 */
export const SPARE_AHEAD_OF_RECYCLE_SHARE = 0.8

/** Whether a shared process is near enough its recycling threshold to boot its successor ahead. */
export function replacementNear(rssAfterFileBytes: number | null, thresholdBytes: number | null): boolean {
  if (thresholdBytes == null || rssAfterFileBytes == null) return false
  return rssAfterFileBytes >= thresholdBytes * SPARE_AHEAD_OF_RECYCLE_SHARE
}
