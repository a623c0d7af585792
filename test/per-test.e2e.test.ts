// Inside the file: each test's exact peak, the setup phase, concurrent tests, per-test budgets.
import { beforeAll, describe, expect, test } from 'vitest'
import { fileEntry, MiB, run, type RunResult } from './helpers.js'

const testNamed = (result: RunResult, file: string, name: string) => {
  const found = fileEntry(result, file).tests.find(t => t.name === name)
  if (!found) throw new Error(`no test "${name}" in ${file}:\n${result.output}`)
  return found
}

describe('per-test peaks (plain `vitest run`, memoryPool in the config)', () => {
  let result: RunResult

  beforeAll(async () => {
    result = await run('vitest', 'per-test', ['run'])
  })

  test('every test is in the report, in order, with its full name and exact method', () => {
    const heavy = fileEntry(result, 'one-heavy-test.test.ts')
    expect(heavy.testPeakMethod).toBe('clear_refs')
    expect(heavy.tests.map(t => t.fullName)).toEqual([
      'catalog > light before', 'catalog > imports the full catalogue', 'catalog > light after 1', 'catalog > light after 2',
    ])
    for (const t of heavy.tests) {
      expect(t).toMatchObject({ state: 'pass', overlapping: false, budgetBytes: null, overBudget: false, heapAfterGcBytes: null })
      expect(t.durationMs).toBeGreaterThanOrEqual(0)
      expect(typeof t.heapDeltaBytes).toBe('number')
      expect(t.addedRssBytes).toBe(t.peakRssBytes - t.startRssBytes)
    }
    expect(heavy.leak).toBeNull()
  })

  test('the 300 MiB test is the heaviest, its peak within 15% of what it allocated on top of its start', () => {
    const heavy = testNamed(result, 'one-heavy-test.test.ts', 'imports the full catalogue')
    expect(heavy.addedRssBytes).toBeGreaterThanOrEqual(300 * MiB * 0.99)
    expect(heavy.addedRssBytes).toBeLessThanOrEqual(300 * MiB * 1.15)
    expect(heavy.peakRssBytes).toBeLessThanOrEqual((heavy.startRssBytes + 300 * MiB) * 1.15)
    expect(result.stdout).toMatch(/one-heavy-test\.test\.ts .*\n\s+↳ peak 3\d\d MB during test "catalog > imports the full catalogue" · it added the most: \+3\d\d MB/)
  })

  test('the light tests add little, including the ones after the heavy test', () => {
    for (const name of ['light before', 'light after 1', 'light after 2']) {
      expect(testNamed(result, 'one-heavy-test.test.ts', name).addedRssBytes, name).toBeLessThan(20 * MiB)
    }
    const before = testNamed(result, 'one-heavy-test.test.ts', 'light before')
    expect(before.peakRssBytes).toBeLessThan(150e6)
  })

  test('the file\'s own peak is still the maximum over the whole file', () => {
    const file = fileEntry(result, 'one-heavy-test.test.ts')
    const heavy = testNamed(result, 'one-heavy-test.test.ts', 'imports the full catalogue')
    expect(file.peakRssBytes).toBeGreaterThanOrEqual(heavy.peakRssBytes)
    expect(file.peakRssBytes).toBeLessThanOrEqual(heavy.peakRssBytes * 1.02)
    expect(file.setupPeakRssBytes).toBeLessThan(150e6)
  })

  test('a file whose memory goes to beforeAll attributes its peak to the setup phase', () => {
    const file = fileEntry(result, 'setup-heavy.test.ts')
    expect(file.setupPeakRssBytes).toBeGreaterThanOrEqual(200 * MiB)
    expect(file.setupPeakRssBytes).toBeGreaterThanOrEqual(file.peakRssBytes! * 0.99)
    for (const t of file.tests) expect(t.addedRssBytes).toBeLessThan(20 * MiB)
    expect(result.stdout).toMatch(/setup-heavy\.test\.ts .*\n\s+↳ .*peak in setup \(imports, module code, beforeAll\): 2\d\d MB/)
  })

  test('concurrent tests are marked overlapping; a test running alone is not', () => {
    expect(testNamed(result, 'concurrent.test.ts', 'first').overlapping).toBe(true)
    expect(testNamed(result, 'concurrent.test.ts', 'second').overlapping).toBe(true)
    expect(testNamed(result, 'concurrent.test.ts', 'alone afterwards').overlapping).toBe(false)
    // both 60 MiB blocks were resident at once: the shared peak holds them both
    expect(testNamed(result, 'concurrent.test.ts', 'second').addedRssBytes).toBeGreaterThanOrEqual(110 * MiB)
  })

  test('a test over its withMemoryBudget() fails the run and is named; its neighbour within budget is not', () => {
    expect(result.code, result.output).toBe(1)
    expect(result.stdout).toMatch(/Test Files\s+4 passed/)
    expect(result.stderr).toContain('vitest-memory: 1 test over its memory budget:')
    expect(result.stderr).toMatch(/test-budget\.test\.ts > renders thumbnails added 1\d\d MB \(peak \d+ MB, budget 100 MB\)/)
    expect(result.stderr).not.toContain('stays small')
    expect(testNamed(result, 'test-budget.test.ts', 'renders thumbnails')).toMatchObject({ budgetBytes: 100e6, overBudget: true })
    expect(testNamed(result, 'test-budget.test.ts', 'stays small')).toMatchObject({ budgetBytes: 100e6, overBudget: false })
    expect(result.stdout).toMatch(/↳ ✗ test "renders thumbnails" added 1\d\d MB, over its 100 MB budget/)
    expect(result.stdout).toMatch(/4 files measured · .* · 1 test over its own budget/)
  })

  test('the budget of a test is judged in warn mode like a file budget: named, exit 0', async () => {
    const warned = await run('cli', 'per-test', ['run', 'test-budget.test.ts', '--memory-budget-warn'])
    expect(warned.code, warned.output).toBe(0)
    expect(warned.stderr).toContain('vitest-memory: 1 test over its memory budget (warning only):')
  })

})

describe('per-test peaks without procfs', () => {
  test('the fallback says its per-test peaks are a running maximum', async () => {
    const result = await run('cli', 'per-test', ['run', 'one-heavy-test.test.ts'], { env: { VITEST_MEMORY_FORCE_FALLBACK: '1' } })
    expect(result.code, result.output).toBe(0)
    const file = fileEntry(result, 'one-heavy-test.test.ts')
    expect(file).toMatchObject({ method: 'getrusage', testPeakMethod: 'running-max' })
    expect(result.stdout).toContain('per-test peaks: running maximum')
    const heavy = testNamed(result, 'one-heavy-test.test.ts', 'imports the full catalogue')
    expect(heavy.peakRssBytes).toBeGreaterThanOrEqual(300 * MiB)
  })
})
