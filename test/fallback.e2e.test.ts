// The portable path (macOS, Windows): getrusage maxRSS for the file's own process, the tree not
// counted. Forced on Linux with VITEST_MEMORY_FORCE_FALLBACK=1.
import { describe, expect, test } from 'vitest'
import { fileEntry, MiB, run } from './helpers.js'

const FALLBACK = { VITEST_MEMORY_FORCE_FALLBACK: '1' }

describe('fallback measurement (VITEST_MEMORY_FORCE_FALLBACK=1)', () => {
  test('every file is measured with getrusage, exact within the same window as procfs', async () => {
    const result = await run('vitest', 'measure', ['run'], { env: FALLBACK })
    expect(result.code, result.output).toBe(0)
    expect(result.stdout).toContain('getrusage maxRSS (no procfs on this platform: process tree not counted)')
    for (const file of result.report!.files) expect(file).toMatchObject({ method: 'getrusage', state: 'pass' })
    const baseline = fileEntry(result, 'baseline.test.ts').peakRssBytes!
    expect(baseline).toBeGreaterThan(30e6)
    expect(baseline).toBeLessThan(120e6)
    const alloc = fileEntry(result, 'alloc-200mb.test.ts').peakRssBytes!
    expect(alloc).toBeGreaterThanOrEqual((baseline + 200 * MiB) * 0.99)
    expect(alloc).toBeLessThanOrEqual((baseline + 200 * MiB) * 1.15)
    // without procfs the subprocess's 200 MiB cannot be counted
    const spawn = fileEntry(result, 'spawn.test.ts')
    expect(spawn.treePeakRssBytes!).toBeLessThan(spawn.peakRssBytes! + 100 * MiB)
  })

  test("a peak inherited from a 300 MiB main process is not reported as the file's own", async () => {
    const procfs = await run('vitest', 'fallback-inherit', ['run'])
    const fallback = await run('vitest', 'fallback-inherit', ['run'], { env: FALLBACK })
    expect(fallback.code, fallback.output).toBe(0)
    const exactBaseline = fileEntry(procfs, 'baseline.test.ts').peakRssBytes!
    const baseline = fileEntry(fallback, 'baseline.test.ts')
    expect(baseline.method).toBe('getrusage')
    // maxRSS alone would say 300 MiB + more; the current RSS stands in, close to the exact peak
    expect(baseline.peakRssBytes!).toBeLessThan(exactBaseline + 20 * MiB)
    expect(baseline.peakRssBytes!).toBeGreaterThan(exactBaseline * 0.8)
    // past the inherited mark maxRSS is the file's own peak again
    const alloc = fileEntry(fallback, 'alloc-400mb.test.ts').peakRssBytes!
    expect(alloc).toBeGreaterThanOrEqual((exactBaseline + 400 * MiB) * 0.99)
    expect(alloc).toBeLessThanOrEqual((exactBaseline + 400 * MiB) * 1.15)
    // The run's timeline comes from samples: without procfs, the readings the process sent of itself.
    const sampledPeak = Math.max(...(fallback.report!.timeline ?? []).map(p => p.rssBytes))
    expect(sampledPeak).toBeGreaterThanOrEqual(exactBaseline + 350 * MiB)
    expect(sampledPeak).toBeLessThanOrEqual(alloc * 1.05)
  })
})
