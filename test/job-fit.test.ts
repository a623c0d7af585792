import { mkdtempSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { describe, expect, test } from 'vitest'
import { fitJob, fitWorkers, layOut, RUNNER_MEMORY_BYTES, type FitFile } from '../src/policy/job-fit.js'
import { fitLine } from '../src/report/fit-line.js'
import { file, MB, report } from './report-model.js'

const files: FitFile[] = [
  ['tiny', 60, 700],
  ['small', 120, 800],
  ['medium', 200, 950],
  ['large', 300, 1250],
  ['huge', 375, 1600],
].map(([name, peak, ms]) => ({ file: `test/${name}.test.ts`, peakBytes: Number(peak) * MB, durationMs: Number(ms), memoryIntensive: null }))

describe('fitJob', () => {
  test('the largest maxWorkers whose heaviest files and the runner fit', () => {
    // The runner (175) + 375 + 300 = 850 fits 1 GB; adding 200 would not.
    expect(
      fitWorkers(
        files.map(f => f.peakBytes!),
        1e9,
      ),
    ).toBe(2)
    expect(
      fitWorkers(
        files.map(f => f.peakBytes!),
        10e9,
      ),
    ).toBe(5)
    // Never below one: the admission gate runs a file alone rather than never.
    expect(fitWorkers([900 * MB], 500 * MB)).toBe(1)
  })

  test('a fixed shard count: each shard gets its own maxWorkers, peak and duration', () => {
    const result = fitJob(files, { memoryBytes: 1e9, shards: 2 })
    if (!result.ok) throw new Error('expected a plan')
    expect(result.plan.shards).toHaveLength(2)
    for (const shard of result.plan.shards) {
      expect(shard.predictedPeakBytes).toBeLessThanOrEqual(1e9)
      expect(shard.maxMemory).toBe(`${(1e9 - RUNNER_MEMORY_BYTES) / 1e6}MB`)
    }
    expect(result.plan.shards.flatMap(s => s.files).sort()).toEqual(files.map(f => f.file).sort())
  })

  test('a target duration that no split can meet says so, with one file per shard at most', () => {
    const result = fitJob(files, { memoryBytes: 1e9, targetDurationMs: 1000 })
    if (!result.ok) throw new Error('expected a plan')
    expect(result.targetMissed).toBe(true)
    expect(Math.max(...result.plan.shards.map(s => s.predictedDurationMs))).toBe(1600)
  })

  test('unmeasured files weigh as the median; a too-heavy untagged file is unfit, a tagged one goes to the heavy lane', () => {
    const withNew = [...files, { file: 'test/new.test.ts', peakBytes: null, durationMs: null, memoryIntensive: null }]
    const ok = fitJob(withNew, { memoryBytes: 1e9 })
    expect(ok.ok && ok.plan.unmeasured).toEqual(['test/new.test.ts'])
    expect(fitJob(files, { memoryBytes: 500 * MB })).toEqual({ ok: false, unfit: [{ file: 'test/huge.test.ts', peakBytes: 375 * MB }] })
    const tagged = files.map(f => (f.file === 'test/huge.test.ts' ? { ...f, memoryIntensive: 'comment' } : f))
    const lane = fitJob(tagged, { memoryBytes: 500 * MB })
    if (!lane.ok) throw new Error('expected a plan')
    expect(lane.plan.heavyLane?.files.map(f => f.file)).toEqual(['test/huge.test.ts'])
    expect(lane.plan.heavyLane?.requiredMemoryBytes).toBe(RUNNER_MEMORY_BYTES + 375 * MB)
  })

  test('layOut: longest first onto the first free worker', () => {
    expect(layOut([1000, 600, 500, 400], 2)).toBe(1400)
    expect(layOut([1000, 600], 1)).toBe(1600)
  })
})

describe('fitLine', () => {
  const dir = mkdtempSync(join(tmpdir(), 'vm-fit-line-'))
  const history = (entries: [string, number][]) => {
    const path = join(dir, `h-${entries.length}.json`)
    writeFileSync(
      path,
      JSON.stringify({
        schemaVersion: 1,
        entries: entries.map(([f, peak]) => ({
          project: '',
          file: f,
          runs: [{ at: '2026-12-01T00:00:00.000Z', peakRssBytes: peak, treePeakRssBytes: peak, durationMs: 100, state: 'pass' }],
        })),
      }),
    )
    return path
  }
  const run = report([file('a.test.ts', 300), file('b.test.ts', 200), file('c.test.ts', 100)], { timeline: [{ t: 0, rssBytes: 450 * MB }] })

  test("the run's peak and the maxWorkers that fits the machine, by the history", () => {
    const path = history([
      ['a.test.ts', 290 * MB],
      ['b.test.ts', 210 * MB],
      ['c.test.ts', 90 * MB],
    ])
    const small = { ...run, run: { ...run.run, totalMemoryBytes: 16e9, cgroupLimitBytes: 1e9 } }
    // This run's peaks: 300 + 200 + 100 + the runner's 175 = 775 fits 1 GB.
    expect(fitLine(small, path)).toMatch(
      /^ Memory fit: this run peaked at \d+ MB \(test processes at once 450 MB, Vitest's own .*\); by the history, --max-workers 3 \(all 3 files at once\) fits this container's 1.00 GB/,
    )
    const tight = { ...run, run: { ...run.run, totalMemoryBytes: 700e6, cgroupLimitBytes: null } }
    expect(fitLine(tight, path)).toMatch(/--max-workers 2 fits this machine's 700 MB/)
  })

  test('no line without enough data: no history, or a file the history never measured', () => {
    expect(fitLine(run, null)).toBeNull()
    expect(fitLine(run, join(dir, 'missing.json'))).toBeNull()
    expect(
      fitLine(
        run,
        history([
          ['a.test.ts', 290 * MB],
          ['b.test.ts', 210 * MB],
        ]),
      ),
    ).toBeNull()
  })
})
