// The CLI wraps Vitest: its own flags are taken out, everything else reaches Vitest unchanged.
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { dirname, join } from 'node:path'
import { describe, expect, test } from 'vitest'
import { copyFixture, fileEntry, ROOT, run, VITEST } from './helpers.js'

describe('vitest-memory CLI', () => {
  test('supplies memoryPool when the config has none, and measures every file', async () => {
    const result = await run('cli', 'no-pool', ['run'])
    expect(result.code, result.output).toBe(0)
    expect(result.stdout).toContain('MEMORY')
    expect(result.report!.files.map(f => f.file).sort()).toEqual(['math.test.ts', 'strings.test.ts'])
    expect(fileEntry(result, 'math.test.ts').peakRssBytes).toBeGreaterThan(30e6)
  })

  test('passes a filter, -t and --reporter=verbose through; the table and JSON still appear', async () => {
    const result = await run('cli', 'no-pool', ['run', 'math', '-t', 'multiplies', '--reporter=verbose'])
    expect(result.code, result.output).toBe(0)
    // verbose prints each test; -t skipped the other test of the filtered file
    expect(result.stdout).toMatch(/✓ math\.test\.ts > multiplies/)
    expect(result.stdout).toMatch(/↓ math\.test\.ts > adds/)
    expect(result.stdout).not.toContain('strings.test.ts')
    expect(result.stdout).toContain('MEMORY')
    expect(result.report!.files.map(f => f.file)).toEqual(['math.test.ts'])
  })

  test('keeps the memory report when the user picks --reporter=json', async () => {
    // Vitest 5's json reporter writes a file by default, so both versions are given one.
    const output = join(mkdtempSync(join(tmpdir(), 'vm-json-')), 'vitest.json')
    const result = await run('cli', 'no-pool', ['run', '--reporter=json', `--outputFile=${output}`])
    expect(result.code, result.output).toBe(0)
    expect(JSON.parse(readFileSync(output, 'utf8')).numPassedTests).toBe(3)
    expect(result.report!.files).toHaveLength(2)
  })

  test('--help lists its own flags and exits 0', async () => {
    const result = await run('cli', 'no-pool', ['--help'], { report: false })
    expect(result.code).toBe(0)
    expect(result.stdout).toContain('--memory-budget SIZE')
    expect(result.stdout).toContain('vitest --help')
  })

  test.each([[['--version']], [['-v']], [['run', '-v', '--memory-budget', '1GB']]])(
    "%j prints the plugin's and Vitest's versions, exits 0 and runs nothing",
    async args => {
      const dir = copyFixture('no-pool')
      rmSync(join(dir, '.vitest-memory'), { recursive: true, force: true })
      const result = await run('cli', dir, args, { report: false })
      const ours = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')).version
      const vitest = JSON.parse(readFileSync(join(dirname(VITEST), 'package.json'), 'utf8')).version
      expect(result.code, result.output).toBe(0)
      expect(result.stdout).toBe(`vitest-memory ${ours} (vitest ${vitest})\n`)
      expect(result.stderr).toBe('')
      expect(existsSync(join(dir, '.vitest-memory')), 'a run started: it wrote .vitest-memory/').toBe(false)
    },
  )

  test('--help says how to see the version', async () => {
    const result = await run('cli', 'no-pool', ['--help'], { report: false })
    expect(result.stdout).toContain('vitest-memory --version (or -v)')
  })

  // Bad flag values and VITEST_MEMORY_BUDGET=big: their whole lines are unit tests in usage-lines.test.ts,
  // and usage.e2e.test.ts has the run that shows such a line and exit 2 reaching the user.

  test('isolate: false is accepted: the file runs in a shared process and is measured', async () => {
    const result = await run('cli', 'isolate-false', ['run'])
    expect(result.code, result.output).toBe(0)
    expect(result.output).not.toContain('cannot be used with memoryPool()')
    expect(result.report!.files[0].shared).toMatchObject({ process: 1, order: 1 })
  })

  test('isolate: false under plain `vitest run` runs too', async () => {
    const result = await run('vitest', 'isolate-false', ['run'])
    expect(result.code, result.output).toBe(0)
    expect(result.report!.files[0].shared).toMatchObject({ process: 1, order: 1 })
  })

  test('a typo in memoryPool() options is a usage error when the config loads', async () => {
    const result = await run('cli', 'bad-option', ['run'], { report: false })
    expect(result.code).toBe(2)
    expect(result.output).toContain('Unknown vitest-memory option "budjet": known options are budget, budgetMode, budgets')
  })
})
