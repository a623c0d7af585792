// The words for allocation sites and a peak profile, the same in the terminal, the Markdown
// summary, the crash message and `why`.
import { formatBytes } from '../size.js'
import type { AllocationSite } from '../model.js'

/**
 * Memory in ArrayBuffers/Buffers is not in V8's sampled heap, so the sites cannot show it: it is
 * named when it is at least this big and this share of the RSS at the capture.
 */
const NATIVE_NOTE_MIN_BYTES = 16 * 1024 * 1024
const NATIVE_NOTE_MIN_SHARE = 0.2

export function siteWhere(site: Pick<AllocationSite, 'file' | 'line'>): string {
  return site.line != null ? `${site.file}:${site.line}` : site.file
}

/** "fillCache (cache.test.ts:6) 310 MB, 93%" */
export function siteSummary(site: AllocationSite): string {
  return `${site.functionName} (${siteWhere(site)}) ${formatBytes(site.bytes)}, ${Math.round(site.share * 100)}%`
}

export function peakLabel(sampledBytes: number, capturedAtRssBytes: number): string {
  return `live at the peak (${formatBytes(sampledBytes)} of ${formatBytes(capturedAtRssBytes)} RSS)`
}

/** "312 MB in ArrayBuffers/Buffers, outside the V8 heap", or null when they were small. */
export function nativeNote(arrayBuffersBytes: number | null | undefined, capturedAtRssBytes: number): string | null {
  if (arrayBuffersBytes == null || arrayBuffersBytes < NATIVE_NOTE_MIN_BYTES || arrayBuffersBytes < capturedAtRssBytes * NATIVE_NOTE_MIN_SHARE) return null
  return `${formatBytes(arrayBuffersBytes)} in ArrayBuffers/Buffers, outside the V8 heap`
}
