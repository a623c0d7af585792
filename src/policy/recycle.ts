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
