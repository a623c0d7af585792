// One verdict, seen everywhere: a file over its budget is a failed file in Vitest's own summary,
// junit and exit code (warn mode keeps it passed), a test is charged what its subprocesses hold,
// and a shared process's file is judged by what it added (or, absolute, by its whole peak).
import { mkdtempSync, readFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { describe, expect, test } from 'vitest'
import { spawnSync } from 'node:child_process'
import { cleanEnv, CLI, copyFixture, fileEntry, fixture, MiB, run, TARGET, type RunResult } from './helpers.js'

async function runWithJunit(fixtureName: string, args: string[]): Promise<RunResult & { junit: string }> {
  const junitPath = join(mkdtempSync(join(tmpdir(), 'vm-verdict-')), 'junit.xml')
  const result = await run('cli', fixtureName, [
    'run',
    ...args,
    '--no-memory-history',
    '--reporter=default',
    '--reporter=junit',
    `--outputFile.junit=${junitPath}`,
  ])
  return { ...result, junit: readFileSync(junitPath, 'utf8') }
}

/** The `<testsuite>` element of one file, up to its end. */
function suiteOf(junit: string, file: string): string {
  const start = junit.indexOf(`<testsuite name="${file}"`)
  if (start < 0) throw new Error(`no testsuite for ${file} in:\n${junit}`)
  return junit.slice(start, junit.indexOf('</testsuite>', start))
}

describe('a file over --memory-budget is a failed file in Vitest', () => {
  test("fail mode: Vitest's summary counts 2 failed files, junit has a failure for each, exit 1", async () => {
    const result = await runWithJunit('verdict', ['--memory-budget', '200MB'])
    expect(result.code, result.output).toBe(1)
    expect(result.stdout).toMatch(/Test Files\s+2 failed \| 1 passed \(3\)/)
    // Its tests passed: the file itself failed, as with a failing afterAll hook.
    expect(result.stdout).toMatch(/Tests\s+4 passed \(4\)/)
    for (const file of ['test/own-heavy.test.ts', 'test/subprocess-heavy.test.ts']) {
      const suite = suiteOf(result.junit, file)
      expect(suite).toMatch(/failures="1"/)
      expect(suite).toMatch(
        new RegExp(
          `<failure message="vitest-memory: ${file.replace(/\./g, '\\.')} peaked at \\d+ MB, over its memory budget of 200 MB \\(global\\)" type="MemoryBudgetExceeded">`,
        ),
      )
      expect(fileEntry(result, file)).toMatchObject({ state: 'fail', overBudget: true, judgedBasis: 'tree' })
    }
    expect(suiteOf(result.junit, 'test/light.test.ts')).toMatch(/failures="0"/)
    expect(fileEntry(result, 'test/light.test.ts')).toMatchObject({ state: 'pass', overBudget: false })
    // The same two files in the memory table and its summary, the same error in Vitest's own list.
    expect(result.stdout).toMatch(/✗ test\/own-heavy\.test\.ts .* over budget/)
    expect(result.stdout).toMatch(/✗ test\/subprocess-heavy\.test\.ts .* over budget/)
    expect(result.output).toMatch(
      /MemoryBudgetExceeded: vitest-memory: test\/subprocess-heavy\.test\.ts peaked at \d+ MB, over its memory budget of 200 MB \(global\)/,
    )
    expect(result.stderr).toContain('vitest-memory: 2 files over their memory budget:')
  })

  test('--bail 1: the first file over its budget stops the run, as a failed test would', async () => {
    const result = await runWithJunit('verdict', ['--memory-budget', '200MB', '--bail', '1', '--maxWorkers', '1'])
    expect(result.code, result.output).toBe(1)
    const files = result.report!.files
    expect(
      files.filter(f => f.state === 'fail' && f.overBudget),
      result.output,
    ).toHaveLength(1)
    expect(files.filter(f => f.state === 'pass' || (f.state === 'fail' && !f.overBudget))).toHaveLength(0)
    expect(result.stdout).toMatch(/Test Files\s+1 failed/)
  })

  test('blob reports carry the failed files, and --merge-reports keeps them failed', async () => {
    const copy = copyFixture('verdict')
    for (const shard of ['1/2', '2/2']) await run('cli', copy, ['run', '--memory-budget', '200MB', '--no-memory-history', '--reporter=blob', '--shard', shard])
    const merged = await run('cli', copy, ['run', '--merge-reports', '--memory-budget', '200MB', '--no-memory-history'])
    expect(merged.code, merged.output).toBe(1)
    expect(merged.stdout).toMatch(/Test Files\s+2 failed \| 1 passed \(3\)/)
    expect(
      merged
        .report!.files.filter(f => f.overBudget && f.state === 'fail')
        .map(f => f.file)
        .sort(),
    ).toEqual(['test/own-heavy.test.ts', 'test/subprocess-heavy.test.ts'])
  })

  test('warn mode: no failure anywhere, exit 0, and "(warning only)" where the verdict is shown', async () => {
    const result = await runWithJunit('verdict', ['--memory-budget', '200MB', '--memory-budget-warn'])
    expect(result.code, result.output).toBe(0)
    expect(result.stdout).toMatch(/Test Files\s+3 passed \(3\)/)
    expect(result.junit).not.toContain('<failure')
    expect(result.junit).toMatch(
      /<property name="warning" value="vitest-memory: the file peaked at \d+ MB during this test, over its memory budget of 200 MB \(global\) \(warning only\)">/,
    )
    expect(fileEntry(result, 'test/own-heavy.test.ts')).toMatchObject({ state: 'pass', overBudget: true })
    expect(result.stdout).toMatch(/2 over budget \(warning only\)/)
    expect(result.stderr).toContain('2 files over their memory budget (warning only):')
  })
})

describe('a test is charged the memory its subprocesses hold', () => {
  test('the test whose child holds 250 MiB: its figure in the JSON and its annotation, and the ↳ line names it', async () => {
    const result = await runWithJunit('verdict', ['test/subprocess-heavy.test.ts'])
    expect(result.code, result.output).toBe(0)
    const file = fileEntry(result, 'test/subprocess-heavy.test.ts')
    const heavy = file.tests.find(t => t.name === 'a subprocess holds 250 MiB')!
    expect(heavy.addedRssBytes / MiB).toBeGreaterThanOrEqual(240)
    // The test process itself stayed small: the figure is the tree's.
    expect((heavy.peakRssBytes - heavy.ownPeakRssBytes) / MiB).toBeGreaterThanOrEqual(240)
    expect(file.tests.find(t => t.name === 'light setup')!.addedRssBytes / MiB).toBeLessThan(20)
    const suite = suiteOf(result.junit, 'test/subprocess-heavy.test.ts')
    const annotated =
      /name="a subprocess holds 250 MiB"[\s\S]*?<property name="memory" value="\+(\d+) MB RSS added, peak \d+ MB, its subprocesses included \(own [\d.]+ MB\)">/.exec(
        suite,
      )
    expect(annotated, suite).not.toBeNull()
    expect((Number(annotated![1]) * 1e6) / MiB).toBeGreaterThanOrEqual(240)
    expect(result.stdout).toMatch(/↳ peak \d+ MB during test "a subprocess holds 250 MiB"/)
    expect(result.stdout).not.toContain('peak in setup')
  })

  test("the report, the table and `why` name the child among the processes at the file's tree peak", async () => {
    const result = await runWithJunit('verdict', ['test/subprocess-heavy.test.ts'])
    const file = fileEntry(result, 'test/subprocess-heavy.test.ts')
    const child = file.treePeakProcesses!.find(p => p.command != null && / -e /.test(p.command))
    expect(child, JSON.stringify(file.treePeakProcesses)).toBeDefined()
    expect(child!.rssBytes / MiB).toBeGreaterThanOrEqual(240)
    const own = file.treePeakProcesses!.find(p => p.command == null)!
    expect(own.rssBytes / MiB).toBeLessThan(120)
    expect(result.stdout).toContain(`↳ tree at its peak: ${child!.pid} `)
    expect(result.stdout).toMatch(new RegExp(`${own.pid} the test file's own process [\\d.]+ MB`))
    const why = spawnSync(TARGET.node, [CLI, 'why'], { cwd: fixture('verdict'), encoding: 'utf8', env: cleanEnv() })
    expect(why.stdout, why.stderr).toContain(`its tree at the peak: ${child!.pid} `)
  })
})

test('withMemoryBudget() under a pool that cannot measure (forks) says so in one line, not silently', async () => {
  const result = await run('vitest', 'per-test', ['run', 'test-budget.test.ts', '--pool', 'forks'])
  expect(result.code, result.output).toBe(0)
  const said = result.output.split('\n').filter(line => line.includes('withMemoryBudget() is not checked'))
  // Two budgeted tests, one process: one line.
  expect(said, result.output).toHaveLength(1)
  expect(said[0]).toContain('vitest-memory: withMemoryBudget() is not checked: this file does not run in the memory pool')
})

describe('a file of a shared process (isolate: false), budget 300 MB, adding ~200 MB above ~190 MB', () => {
  test('sharedBudget added (the default): within budget in the report, junit and exit code', async () => {
    const result = await runWithJunit('verdict-shared', ['--memory-budget', '300MB'])
    expect(result.code, result.output).toBe(0)
    const file = fileEntry(result, 'test/adds-200mb.test.ts')
    expect(file.shared!.startRssBytes / MiB).toBeGreaterThan(170)
    expect(file.treePeakRssBytes! / MiB).toBeGreaterThan((300 * 1e6) / MiB)
    expect(file).toMatchObject({ state: 'pass', overBudget: false, judgedBasis: 'added' })
    expect(result.junit).not.toContain('<failure')
    expect(result.junit).not.toContain('over its memory budget')
    expect(result.stdout).toMatch(/Test Files\s+2 passed/)
  })

  test("--shared-budget absolute: the whole peak is over: failed in the report, junit, Vitest's summary, exit 1", async () => {
    const result = await runWithJunit('verdict-shared', ['--memory-budget', '300MB', '--shared-budget', 'absolute'])
    expect(result.code, result.output).toBe(1)
    expect(fileEntry(result, 'test/adds-200mb.test.ts')).toMatchObject({ state: 'fail', overBudget: true, judgedBasis: 'tree' })
    expect(suiteOf(result.junit, 'test/adds-200mb.test.ts')).toMatch(
      /<failure message="vitest-memory: test\/adds-200mb\.test\.ts peaked at \d+ MB, over its memory budget of 300 MB \(global\)"/,
    )
    expect(result.stdout).toMatch(/Test Files\s+1 failed \| 1 passed/)
  })
})
