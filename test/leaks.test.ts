import { describe, expect, test } from 'vitest'
import { judgeLeak, LEAK_MIN_GROWTH_PER_TEST_BYTES, LEAK_MIN_TESTS } from '../src/policy/leaks.js'

const MB = 1e6

describe('judgeLeak', () => {
  test('steady growth of the heap after GC is a likely leak, with its rate', () => {
    const series = Array.from({ length: 40 }, (_, i) => 20 * MB + i * 12 * MB)
    expect(judgeLeak(series)).toEqual({ likely: true, retainedPerTestBytes: 12 * MB, retainedTotalBytes: 39 * 12 * MB, tests: 40, growingSteps: 39 })
  })

  test('allocating a lot and freeing it is not a leak', () => {
    const series = [20, 20.1, 19.9, 20, 20.05, 20, 19.95, 20].map(v => v * MB)
    expect(judgeLeak(series)!.likely).toBe(false)
  })

  test('a one-off cache fill in the first test is not a leak', () => {
    const series = [20, 80, 80, 80, 80.02, 80, 80, 80].map(v => v * MB)
    const verdict = judgeLeak(series)!
    expect(verdict.retainedPerTestBytes).toBeGreaterThan(LEAK_MIN_GROWTH_PER_TEST_BYTES)
    expect(verdict.likely).toBe(false)
  })

  test('too few tests say nothing; growth below the per-test threshold is not flagged', () => {
    const few = Array.from({ length: LEAK_MIN_TESTS - 1 }, (_, i) => i * 50 * MB)
    expect(judgeLeak(few)!.likely).toBe(false)
    expect(judgeLeak([1])).toBeNull()
    const slow = Array.from({ length: 20 }, (_, i) => 20 * MB + i * 200_000)
    expect(judgeLeak(slow)!.likely).toBe(false)
  })

  test('mostly growing with an occasional drop is still a leak', () => {
    const series = [10, 14, 18, 17, 21, 25, 29, 33, 32, 36].map(v => v * MB)
    expect(judgeLeak(series)).toMatchObject({ likely: true, growingSteps: 7 })
  })
})
