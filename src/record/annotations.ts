// What a test's memory looks like as a Vitest test annotation (`context.annotate`): one line with
// what the test added and its peak (for tests that added something), and a warning when it went
// over its own withMemoryBudget() in warn mode (in fail mode the test fails with the verdict).
import type { TestMemory } from '../model.js'
import { formatBytes } from '../size.js'

/** The annotation type Vitest shows as its group title (a type of its own: never a GitHub error). */
export const MEMORY_ANNOTATION_TYPE = 'memory'

/**
 * A test that added less than this gets no memory annotation: an annotation is a round trip to the
 * runner (about 2 ms a test on a small machine, measured on 250 files of 6 tests each), and a test
 * that added a few kB has nothing worth reading beside it. Over-budget verdicts are always added.
 */
export const ANNOTATE_ADDED_ABOVE_BYTES = 1_000_000

export interface MemoryAnnotation {
  message: string
  /** `memory`, or `warning` (GitHub Actions shows it as a warning) for a test over its budget. */
  type: string
}

/** `warning`: the pool's verdict text for a test over its budget in warn mode, else null. */
export function annotationsFor(measured: TestMemory, warning: string | null): MemoryAnnotation[] {
  const added = Math.max(0, measured.peakRssBytes - measured.startRssBytes)
  const shared = measured.overlapping ? ' (ran concurrently: peak shared)' : ''
  const subprocesses = measured.ownPeakRssBytes != null ? `, its subprocesses included (own ${formatBytes(measured.ownPeakRssBytes)})` : ''
  const out: MemoryAnnotation[] =
    added >= ANNOTATE_ADDED_ABOVE_BYTES
      ? [{ message: `+${formatBytes(added)} RSS added, peak ${formatBytes(measured.peakRssBytes)}${subprocesses}${shared}`, type: MEMORY_ANNOTATION_TYPE }]
      : []
  if (warning) out.push({ message: `vitest-memory: ${warning}`, type: 'warning' })
  return out
}
