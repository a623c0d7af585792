// The leak signal: does the heap left after a forced GC keep growing from test to test?
// Pure: fed the heap-after-GC series of one file, in the order its tests finished.
import type { LeakVerdict } from '../model.js'

/** Fewer tests than this say nothing about a trend. */
export const LEAK_MIN_TESTS = 5
/** Average growth per test (heap after GC) from which a file is flagged. */
export const LEAK_MIN_GROWTH_PER_TEST_BYTES = 1024 * 1024
/** A step smaller than this is noise, neither growth nor shrinkage. */
export const LEAK_STEP_NOISE_BYTES = 64 * 1024
/** Share of steps that must grow: a one-off cache fill early on is not a leak. */
export const LEAK_MIN_GROWING_SHARE = 0.75

/** Null when there are too few readings to judge. */
export function judgeLeak(heapAfterGc: readonly number[]): LeakVerdict | null {
  if (heapAfterGc.length < 2) return null
  const steps = heapAfterGc.slice(1).map((value, i) => value - heapAfterGc[i])
  const retainedTotalBytes = heapAfterGc[heapAfterGc.length - 1] - heapAfterGc[0]
  const retainedPerTestBytes = retainedTotalBytes / steps.length
  const growingSteps = steps.filter(step => step > LEAK_STEP_NOISE_BYTES).length
  const likely =
    heapAfterGc.length >= LEAK_MIN_TESTS && retainedPerTestBytes >= LEAK_MIN_GROWTH_PER_TEST_BYTES && growingSteps / steps.length >= LEAK_MIN_GROWING_SHARE
  return { likely, retainedPerTestBytes, retainedTotalBytes, tests: heapAfterGc.length, growingSteps }
}
