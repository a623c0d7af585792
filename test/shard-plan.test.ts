import { describe, expect, test } from 'vitest'
import { planShards } from '../src/policy/shard-plan.js'

const MB = 1e6

describe('planShards', () => {
  const files = [
    { file: 'heavy-1.test.ts', durationMs: 800, peakBytes: 900 * MB },
    { file: 'heavy-2.test.ts', durationMs: 700, peakBytes: 850 * MB },
    { file: 'heavy-3.test.ts', durationMs: 600, peakBytes: 800 * MB },
    ...Array.from({ length: 9 }, (_, i) => ({ file: `light-${i}.test.ts`, durationMs: 300 + i * 10, peakBytes: 60 * MB })),
  ]

  test('keeps the heavy files apart', () => {
    const plan = planShards(files, 3)
    const shardOf = (f: string) => plan.shards.find(s => s.files.includes(f))!.index
    expect(new Set(['heavy-1.test.ts', 'heavy-2.test.ts', 'heavy-3.test.ts'].map(shardOf)).size).toBe(3)
  })

  test('every file lands in exactly one shard, and the shards are balanced in time', () => {
    const plan = planShards(files, 3)
    expect(plan.shard).toEqual([1, 2, 3])
    expect(plan.shards.flatMap(s => s.files).sort()).toEqual(files.map(f => f.file).sort())
    const durations = plan.shards.map(s => s.estimatedDurationMs)
    const total = files.reduce((sum, f) => sum + f.durationMs, 0)
    expect(durations.reduce((a, b) => a + b)).toBe(total)
    expect(Math.max(...durations) - Math.min(...durations)).toBeLessThanOrEqual(Math.max(...files.map(f => f.durationMs)))
    for (const s of plan.shards) expect(s.heaviestPeakBytes).toBeGreaterThanOrEqual(800 * MB)
  })

  test('a long but light file does not pull two heavy files together', () => {
    const plan = planShards(
      [
        { file: 'long.test.ts', durationMs: 6000, peakBytes: 70 * MB },
        { file: 'heavy-a.test.ts', durationMs: 500, peakBytes: 900 * MB },
        { file: 'heavy-b.test.ts', durationMs: 500, peakBytes: 900 * MB },
        { file: 'small.test.ts', durationMs: 100, peakBytes: 60 * MB },
      ],
      2,
    )
    const heavyShards = plan.shards.filter(s => s.files.some(f => f.startsWith('heavy')))
    expect(heavyShards).toHaveLength(2)
  })

  test('files never measured are weighed as the median file and listed', () => {
    const plan = planShards([...files, { file: 'new.test.ts', durationMs: null, peakBytes: null }], 2)
    expect(plan.unmeasured).toEqual(['new.test.ts'])
    expect(plan.shards.flatMap(s => s.files)).toContain('new.test.ts')
  })

  test('more shards than files leaves empty shards, and is deterministic', () => {
    const plan = planShards(files.slice(0, 2), 4)
    expect(plan.shards.filter(s => s.files.length === 0)).toHaveLength(2)
    expect(planShards(files, 3)).toEqual(planShards([...files].reverse(), 3))
  })

  test('a bad count is refused', () => {
    expect(() => planShards(files, 0)).toThrow('Invalid shard count 0: use a whole number of at least 1.')
  })
})
