// The hard limit: which one applies to a file (same precedence as budgets) and when it is broken.
import type { FileAnnotations } from './annotations.js'
import { closestSize, type FileSize } from './per-file.js'
import type { ResolvedMemoryOptions } from '../options.js'

export type FileLimit = FileSize

/** While a limit is set the tree is sampled at least this often: 1 GB/s of growth overshoots ~10 MB. */
export const LIMIT_SAMPLE_INTERVAL_MS = 10

export function limitFor(
  relativeFile: string,
  annotations: FileAnnotations,
  options: Pick<ResolvedMemoryOptions, 'limitBytes' | 'limits'>,
): FileLimit | null {
  return closestSize(relativeFile, annotations.limitBytes, options.limits, options.limitBytes)
}

export function isOverLimit(treeRssBytes: number, limit: FileLimit | null): boolean {
  return limit != null && treeRssBytes > limit.bytes
}
