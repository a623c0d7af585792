// The regression gate on two real runs: the heavy file allocates 10 MiB in the base, 120 MiB in the head.
import { mkdtempSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { beforeAll, describe, expect, test } from 'vitest'
import { run, type RunResult } from './helpers.js'

describe('compare', () => {
  const dir = mkdtempSync(join(tmpdir(), 'vm-compare-'))
  const args = ['run', 'heavy', 'light', '--no-memory-history', '--memory-budget-warn']
  let base: RunResult
  let head: RunResult

  beforeAll(async () => {
    base = await run('cli', 'reports', args, { env: { HEAVY_MIB: '10' } })
    expect(base.code, base.output).toBe(0)
    head = await run('cli', 'reports', [...args, '--compare-to', base.reportPath], { env: { HEAVY_MIB: '120' } })
  })

  test('--compare-to: the run fails because heavy.test.ts grew, and prints the per-file table', () => {
    expect(head.code, head.output).toBe(1)
    expect(head.stdout).toMatch(/✗ test\/heavy\.test\.ts\s+\d+(\.\d)? MB\s+1\d\d MB\s+grew \+1\d\d(\.\d)? MB \(\+\d+%\)\s+over the threshold/)
    expect(head.stderr).toContain('vitest-memory: 1 file grew beyond the threshold compared with')
    expect(head.stdout).not.toMatch(/✗ test\/light\.test\.ts/)
  })

  test('`compare BASE HEAD` exits 1 on the growth and names it', async () => {
    const result = await run('cli', 'reports', ['compare', base.reportPath, head.reportPath], { report: false })
    expect(result.code, result.output).toBe(1)
    expect(result.stdout).toMatch(/✗ test\/heavy\.test\.ts .* grew \+/)
    expect(result.stderr.trim()).toBe('vitest-memory: 1 file grew beyond the threshold.')
  })

  test('a higher absolute floor, or the other direction, passes', async () => {
    const floor = await run('cli', 'reports', ['compare', base.reportPath, head.reportPath, '--min-delta', '500MB'], { report: false })
    expect(floor.code, floor.output).toBe(0)
    const relative = await run('cli', 'reports', ['compare', base.reportPath, head.reportPath, '--fail-on-increase', '1000%'], { report: false })
    expect(relative.code, relative.output).toBe(0)
    const shrank = await run('cli', 'reports', ['compare', head.reportPath, base.reportPath], { report: false })
    expect(shrank.code, shrank.output).toBe(0)
    expect(shrank.stdout).toMatch(/test\/heavy\.test\.ts .* shrank −/)
  })

  test('a file only in one report appeared or disappeared, and is no failure', async () => {
    const only = JSON.parse(JSON.stringify(base.report))
    only.files = only.files.filter((f: { file: string }) => f.file !== 'test/light.test.ts')
    const onlyPath = join(dir, 'only-heavy.json')
    writeFileSync(onlyPath, JSON.stringify(only))
    const result = await run('cli', 'reports', ['compare', onlyPath, base.reportPath], { report: false })
    expect(result.code, result.output).toBe(0)
    expect(result.stdout).toMatch(/test\/light\.test\.ts\s+—\s+\d+(\.\d)? MB\s+appeared/)
  })

  // Each bad value's whole line is a unit test (usage-lines.test.ts); one run shows it reaching the user.
  test('--fail-on-increase 20 exits 2 with one line', async () => {
    const result = await run('cli', 'reports', ['compare', base.reportPath, head.reportPath, '--fail-on-increase', '20'], { report: false })
    expect(result.code).toBe(2)
    expect(result.stderr.trim()).toBe('vitest-memory: Invalid --fail-on-increase "20": write a percentage greater than zero, e.g. "20%".')
  })
})
