// Inside the file: each test's exact peak, the setup phase, concurrent tests, per-test budgets.
import { mkdtempSync, readFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
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
      'catalog > light before',
      'catalog > imports the full catalogue',
      'catalog > light after 1',
      'catalog > light after 2',
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
    expect(result.stdout).toMatch(
      /one-heavy-test\.test\.ts .*\n\s+↳ peak 3\d\d MB during test "catalog > imports the full catalogue" · it added the most: \+3\d\d MB/,
    )
  })

  test('the light tests add little, including the ones after the heavy test', () => {
    for (const name of ['light before', 'light after 1', 'light after 2']) {
      expect(testNamed(result, 'one-heavy-test.test.ts', name).addedRssBytes, name).toBeLessThan(20 * MiB)
    }
    const before = testNamed(result, 'one-heavy-test.test.ts', 'light before')
    expect(before.peakRssBytes).toBeLessThan(150e6)
  })

  test("the file's own peak is still the maximum over the whole file", () => {
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

  test('a test over its withMemoryBudget() is a failed test in Vitest and is named; its neighbour within budget is not', () => {
    expect(result.code, result.output).toBe(1)
    expect(result.stdout).toMatch(/Test Files\s+1 failed \| 3 passed/)
    expect(result.stdout).toMatch(/Tests\s+1 failed \| \d+ passed/)
    expect(result.output).toMatch(
      /MemoryBudgetExceeded: vitest-memory: test-budget\.test\.ts: the test added 1\d\d MB, over its memory budget of 100 MB \(withMemoryBudget\)/,
    )
    expect(testNamed(result, 'test-budget.test.ts', 'renders thumbnails').state).toBe('fail')
    expect(testNamed(result, 'test-budget.test.ts', 'stays small').state).toBe('pass')
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
    expect(warned.stdout).toMatch(/Tests\s+2 passed/)
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

describe("each test's memory as a Vitest annotation (what junit, html, Vitest UI and VS Code show)", () => {
  test('junit carries a memory property per test, with what it added and its peak; a test over its own budget fails with the verdict', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'vm-annotations-'))
    const junitPath = join(dir, 'junit.xml')
    const result = await run('vitest', 'per-test', [
      'run',
      'one-heavy-test',
      'test-budget',
      '--reporter=default',
      '--reporter=junit',
      `--outputFile.junit=${junitPath}`,
    ])
    const junit = readFileSync(junitPath, 'utf8')
    const heavyCase = junit.slice(junit.indexOf('name="catalog &gt; imports the full catalogue"'))
    const property = /<property name="memory" value="\+([\d.]+) MB RSS added, peak ([\d.]+) MB">/.exec(heavyCase)
    expect(property, junit).not.toBeNull()
    // it allocated 300 MiB on top of its start
    expect(Number(property![1])).toBeGreaterThan(300)
    const measured = testNamed(result, 'one-heavy-test.test.ts', 'imports the full catalogue')
    expect(Number(property![2]) * 1e6).toBeCloseTo(measured.peakRssBytes, -6)
    const budgetCase = junit.slice(junit.indexOf('name="renders thumbnails"'))
    expect(budgetCase.slice(0, budgetCase.indexOf('</testcase>'))).toMatch(
      /<failure message="vitest-memory: test-budget\.test\.ts: the test added 1\d\d MB, over its memory budget of 100 MB \(withMemoryBudget\)" type="MemoryBudgetExceeded">/,
    )
  })

  test('a file over its budget: the verdict is an annotation on the test during which it peaked', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'vm-annotations-'))
    const junitPath = join(dir, 'junit.xml')
    await run('vitest', 'budget', ['run', 'heavy', '--reporter=junit', `--outputFile.junit=${junitPath}`])
    const junit = readFileSync(junitPath, 'utf8')
    expect(junit).toMatch(
      /<property name="error" value="vitest-memory: the file peaked at 2\d\d MB during this test, over its memory budget of 150 MB \(global\)">/,
    )
  })

  test('a file killed at its limit: the verdict is an annotation on the test that was running, even one that never yielded', async () => {
    // Vitest's worker throttles its task updates: a test that fills memory without yielding is
    // killed before Vitest hears it started. The pool tells Vitest, so the error is that test's.
    const dir = mkdtempSync(join(tmpdir(), 'vm-annotations-'))
    const junitPath = join(dir, 'junit.xml')
    const result = await run('cli', 'killed-test', [
      'run',
      '--memory-limit',
      '300MB',
      '--no-memory-history',
      '--reporter=junit',
      `--outputFile.junit=${junitPath}`,
    ])
    expect(result.code, result.output).toBe(1)
    const junit = readFileSync(junitPath, 'utf8')
    const cases = junit.split('<testcase ').slice(1)
    expect(cases.map(c => / name="([^"]*)"/.exec(c)![1])).toEqual(['fills memory without yielding', 'never reached'])
    expect(cases[0]).toMatch(
      /<property name="error" value="vitest-memory: the file was killed: its process tree went over the hard memory limit of 300 MB \(global\)">/,
    )
    // sizes too close to tell apart at 3 digits get a decimal ("300.3 MB exceeded limit 300.0 MB");
    // how far over the limit the tree got before the kill depends on how busy the machine is.
    const killed = /<failure message="killed by vitest-memory: tree RSS ([\d.]+) ([MG])B exceeded limit 300(?:\.0)? MB/.exec(cases[0])
    expect(killed, cases[0]).not.toBeNull()
    expect(Number(killed![1]) * (killed![2] === 'G' ? 1000 : 1)).toBeGreaterThan(300)
    expect(cases[1]).toContain('<skipped/>')
  })

  test('annotations: false (VITEST_MEMORY_ANNOTATIONS=0) attaches none', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'vm-annotations-'))
    const junitPath = join(dir, 'junit.xml')
    await run('vitest', 'per-test', ['run', 'one-heavy-test', '--reporter=junit', `--outputFile.junit=${junitPath}`], {
      env: { VITEST_MEMORY_ANNOTATIONS: '0' },
    })
    const junit = readFileSync(junitPath, 'utf8')
    expect(junit).toContain('imports the full catalogue')
    expect(junit).not.toContain('name="memory"')
  })
})

describe('per-test peaks in a project with its own `runner`', () => {
  // Vitest's runner class is not the project's: the pool measures through its setup file instead,
  // and a runner that extends Vitest's does not report each test twice.
  for (const mode of ['isolated', 'shared'] as const) {
    test(`${mode}: every test once, in order, the 200 MiB test within its window`, async () => {
      const result = await run('cli', 'custom-runner', ['run', '--no-memory-history', ...(mode === 'shared' ? ['--no-isolate'] : [])])
      expect(result.code, result.output).toBe(0)
      for (const file of ['heavy.test.ts', 'second.test.ts']) {
        const entry = fileEntry(result, file)
        expect(
          entry.tests.map(t => t.name),
          file,
        ).toEqual(['light before', 'allocates 200 MiB', 'light after'])
        const heavy = entry.tests[1]!
        expect(heavy.addedRssBytes / MiB).toBeGreaterThan(198)
        expect(heavy.addedRssBytes / MiB).toBeLessThan(215)
        expect(entry.tests[2]!.addedRssBytes).toBeLessThan(20 * MiB)
        if (mode === 'shared') expect(entry.shared, file).toBeTruthy()
      }
    })
  }
})
