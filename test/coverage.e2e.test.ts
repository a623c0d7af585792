// --coverage with @vitest/coverage-v8 under memoryPool: the same numbers as under forks.
import { mkdtempSync, readFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { expect, test } from 'vitest'
import { run } from './helpers.js'

async function coverageSummary(extra: string[]) {
  const dir = mkdtempSync(join(tmpdir(), 'vm-coverage-'))
  const result = await run('vitest', 'parity-coverage', [
    'run',
    '--coverage',
    '--coverage.reporter=json-summary',
    '--coverage.reporter=text',
    `--coverage.reportsDirectory=${dir}`,
    ...extra,
  ])
  expect(result.code, result.output).toBe(0)
  const summary = JSON.parse(readFileSync(join(dir, 'coverage-summary.json'), 'utf8')) as Record<
    string,
    Record<string, { total: number; covered: number; pct: number }>
  >
  // keyed by absolute path: keep the file name only
  return { result, summary: Object.fromEntries(Object.entries(summary).map(([file, s]) => [file.split('/').pop(), s])) }
}

test('coverage numbers under memoryPool equal those under forks', async () => {
  const ours = await coverageSummary([])
  const forks = await coverageSummary(['--pool=forks'])
  expect(Object.keys(ours.summary).sort()).toEqual(['format.ts', 'math.ts', 'total'])
  // not an empty report: the tests cover part of the code, and neverCalled() is not covered
  expect(ours.summary['math.ts'].functions).toMatchObject({ total: 3, covered: 2 })
  expect(ours.summary.total.lines.covered).toBeGreaterThan(0)
  expect(ours.summary).toEqual(forks.summary)
  expect(ours.result.stdout).toContain('Coverage report from v8')
  expect(ours.result.report!.files.map(f => f.file).sort()).toEqual(['format.test.ts', 'math.test.ts'])
})

test("with --coverage the memory verdict is repeated after the coverage text, as the output's last lines", async () => {
  const dir = mkdtempSync(join(tmpdir(), 'vm-coverage-'))
  // every file is over a 10 MB budget: the verdict names both. Over budget, they are failed files,
  // and Vitest reports coverage after failures only with reportOnFailure (as for any failure).
  const result = await run(
    'vitest',
    'parity-coverage',
    ['run', '--coverage', '--coverage.reporter=text', '--coverage.reportOnFailure', `--coverage.reportsDirectory=${dir}`],
    { env: { VITEST_MEMORY_BUDGET: '10MB' } },
  )
  expect(result.code, result.output).toBe(1)
  const coverageAt = result.output.lastIndexOf('All files')
  const verdictAt = result.output.lastIndexOf('vitest-memory: 2 files over their memory budget')
  expect(coverageAt, result.output).toBeGreaterThan(0)
  expect(verdictAt).toBeGreaterThan(coverageAt)
  expect(result.output.slice(coverageAt, verdictAt)).toContain('the memory verdict again, after the coverage report')
  const tail = result.output.trimEnd().split('\n').slice(-2).join('\n')
  expect(tail).toMatch(/(format|math)\.test\.ts peaked at [\d.]+ MB \(budget 10\.0 MB, global\)/)
})
