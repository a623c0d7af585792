// --coverage with @vitest/coverage-v8 under memoryPool: the same numbers as under forks.
import { mkdtempSync, readFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { expect, test } from 'vitest'
import { run } from './helpers.js'

async function coverageSummary(extra: string[]) {
  const dir = mkdtempSync(join(tmpdir(), 'vm-coverage-'))
  const result = await run('vitest', 'parity-coverage', ['run', '--coverage', '--coverage.reporter=json-summary', '--coverage.reporter=text', `--coverage.reportsDirectory=${dir}`, ...extra])
  expect(result.code, result.output).toBe(0)
  const summary = JSON.parse(readFileSync(join(dir, 'coverage-summary.json'), 'utf8')) as Record<string, Record<string, { total: number, covered: number, pct: number }>>
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
