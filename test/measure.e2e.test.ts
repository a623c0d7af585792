// Exactness: fixtures allocate known amounts; the measured peaks must land in tight windows.
import { beforeAll, describe, expect, test } from 'vitest'
import { fileEntry, MiB, run, TARGET_MAJOR, TARGET_NODE_VERSION, type RunResult } from './helpers.js'

describe('measuring each file in its own process (plain `vitest run` with memoryPool in the config)', () => {
  let result: RunResult
  let baseline: number

  beforeAll(async () => {
    result = await run('vitest', 'measure', ['run'])
    baseline = fileEntry(result, 'baseline.test.ts').peakRssBytes!
  })

  test('the run passes and prints the memory table', () => {
    expect(result.code, result.output).toBe(0)
    expect(result.stdout).toContain('MEMORY')
    expect(result.stdout).toContain('Linux procfs: exact kernel high-water mark (VmHWM)')
    expect(result.stdout).toMatch(/alloc-200mb\.test\.ts\s+2\d\d MB/)
  })

  test('the report has the documented shape', () => {
    const report = result.report!
    expect(report.schemaVersion).toBe(1)
    expect(report.run).toMatchObject({ platform: 'linux', nodeVersion: TARGET_NODE_VERSION })
    expect(report.run.vitestVersion).toMatch(new RegExp(`^${TARGET_MAJOR}\\.\\d+\\.\\d+`))
    expect(report.run.totalMemoryBytes).toBeGreaterThan(0)
    expect(report.run.cpus).toBeGreaterThan(0)
    expect(Date.parse(report.run.startedAt)).not.toBeNaN()
    expect(report.budgetBytes).toBeNull()
    expect(report.files.map(f => f.file).sort()).toEqual(['alloc-200mb.test.ts', 'baseline.test.ts', 'spawn.test.ts', 'spike.test.ts'])
    for (const file of report.files) {
      expect(file).toMatchObject({ project: '', state: 'pass', method: 'procfs', overBudget: false, budgetBytes: null })
      expect(file.durationMs).toBeGreaterThan(0)
      expect(file.treePeakRssBytes).toBeGreaterThanOrEqual(file.peakRssBytes!)
    }
  })

  test("an empty file's process is the Vitest worker baseline (30–120 MB)", () => {
    expect(baseline).toBeGreaterThan(30e6)
    expect(baseline).toBeLessThan(120e6)
  })

  test('a file that touches 200 MiB peaks at baseline + 200 MiB, within +15%', () => {
    const expected = baseline + 200 * MiB
    const peak = fileEntry(result, 'alloc-200mb.test.ts').peakRssBytes!
    expect(peak).toBeGreaterThanOrEqual(expected * 0.99)
    expect(peak).toBeLessThanOrEqual(expected * 1.15)
  })

  test('a short 150 MiB spike that is freed again is still caught in peakRssBytes', () => {
    const expected = baseline + 150 * MiB
    const peak = fileEntry(result, 'spike.test.ts').peakRssBytes!
    expect(peak).toBeGreaterThanOrEqual(expected * 0.99)
    expect(peak).toBeLessThanOrEqual(expected * 1.15)
  })

  test("a subprocess's 200 MiB counts in the tree peak, not in the file's own peak", () => {
    const spawn = fileEntry(result, 'spawn.test.ts')
    expect(spawn.peakRssBytes!).toBeLessThan(baseline + 40 * MiB)
    expect(spawn.treePeakRssBytes!).toBeGreaterThanOrEqual(spawn.peakRssBytes! + 200 * MiB)
    expect(spawn.treePeakRssBytes!).toBeLessThanOrEqual((spawn.peakRssBytes! + 200 * MiB + 80 * MiB) * 1.15)
  })
})
