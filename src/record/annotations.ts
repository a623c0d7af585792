// What a test's memory looks like as a Vitest test annotation (`context.annotate`): one line with
// what the test added and its peak, and a warning when it went over its own withMemoryBudget().
import type { TestMemory } from '../measure/test-peaks.js'
import { formatBytes } from '../size.js'
import { TEST_BUDGET_META_KEY } from '../test-meta.js'

/** The annotation type Vitest shows as its group title (a type of its own: never a GitHub error). */
export const MEMORY_ANNOTATION_TYPE = 'memory'

export interface MemoryAnnotation {
  message: string
  /** `memory`, or `warning` (GitHub Actions shows it as a warning) for a test over its budget. */
  type: string
}

export function annotationsFor(measured: TestMemory, meta: Record<string, unknown>): MemoryAnnotation[] {
  const added = Math.max(0, measured.peakRssBytes - measured.startRssBytes)
  const shared = measured.overlapping ? ' (ran concurrently: peak shared)' : ''
  const out: MemoryAnnotation[] = [{ message: `+${formatBytes(added)} RSS added, peak ${formatBytes(measured.peakRssBytes)}${shared}`, type: MEMORY_ANNOTATION_TYPE }]
  const budget = meta[TEST_BUDGET_META_KEY]
  if (typeof budget === 'number' && added > budget) {
    out.push({ message: `vitest-memory: over its memory budget: added ${formatBytes(added)}, budget ${formatBytes(budget)}`, type: 'warning' })
  }
  return out
}
