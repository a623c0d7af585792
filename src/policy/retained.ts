// Which files left memory behind in a shared process (isolate: false): after each file the child
// forces a full GC; what then remains beyond what was there before the file is the file's.
import { formatBytes } from '../size.js'

/**
 * What a file must leave behind to be named (a constant: `retainedAbove` was removed). A clean small file keeps well under this after a full GC (its own
 * imports in the module cache: a few MB; measured figures are in the README); a file that keeps a
 * large fixture in a global, a cache or a live timer keeps tens to hundreds of MB.
 */
export const DEFAULT_RETAINED_ABOVE = '50MB'

export interface Retained {
  retainedBytes: number
  retainedHeapBytes: number
}

/**
 * A file left memory behind when both the process's RSS and JavaScript's memory (heap + external)
 * stayed up by at least the threshold after the GC: RSS alone can stay up by allocator caching
 * after a clean file freed a large allocation, and JavaScript memory alone can be freed but not
 * yet given back to the system.
 */
export function leftBehind(figures: Retained, thresholdBytes: number): boolean {
  return figures.retainedBytes >= thresholdBytes && figures.retainedHeapBytes >= thresholdBytes
}

export function leftBehindMessage(file: string, figures: Retained): string {
  return `${file} left +${formatBytes(Math.min(figures.retainedBytes, figures.retainedHeapBytes))} in the worker after GC: module caches, globals or timers it did not clean up`
}
