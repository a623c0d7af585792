// Budgets: global, per-glob and per-file comment; fail and warn modes; flag > env > config (one run:
// the cases are unit tests in budget-precedence.test.ts).
import { beforeAll, describe, expect, test } from 'vitest'
import { fileEntry, run, type RunResult } from './helpers.js'

describe('budgets from the config (global 150MB, glob/** 400MB, comments)', () => {
  let result: RunResult

  beforeAll(async () => {
    result = await run('cli', 'budget', ['run'])
  })

  test('the run fails with exit 1 and names each file over budget with its peak and budget', () => {
    expect(result.code, result.output).toBe(1)
    expect(result.stderr).toContain('vitest-memory: 2 files over their memory budget:')
    expect(result.stderr).toMatch(/heavy\.test\.ts peaked at 2\d\d MB \(budget 150 MB, global\)/)
    expect(result.stderr).toMatch(/glob\/comment-wins\.test\.ts peaked at \d+\.\d MB \(budget 40\.0 MB, comment\)/)
    // the tests themselves all passed: the two files failed on their budget, in Vitest's own count
    expect(result.stdout).toMatch(/Test Files\s+2 failed \| 2 passed \(4\)/)
    expect(result.stdout).toMatch(/Tests\s+4 passed \(4\)/)
  })

  test('the closest budget wins: comment, then glob, then global', () => {
    expect(fileEntry(result, 'heavy.test.ts')).toMatchObject({ budgetBytes: 150e6, budgetSource: 'global', overBudget: true })
    expect(fileEntry(result, 'glob/heavy-glob.test.ts')).toMatchObject({ budgetBytes: 400e6, budgetSource: 'glob glob/**', overBudget: false })
    expect(fileEntry(result, 'glob/comment-wins.test.ts')).toMatchObject({ budgetBytes: 40e6, budgetSource: 'comment', overBudget: true })
    expect(fileEntry(result, 'roomy.test.ts')).toMatchObject({ budgetBytes: 500e6, budgetSource: 'comment', overBudget: false })
    expect(result.report!.budgetBytes).toBe(150e6)
  })

  test('the table flags the over-budget files', () => {
    expect(result.stdout).toMatch(/✗ heavy\.test\.ts .* of 150 MB over budget/)
    expect(result.stdout).toMatch(/2 over budget/)
  })
})

describe('budget precedence and warn mode', () => {
  test('warn mode exits 0 and still names the file', async () => {
    const result = await run('cli', 'budget', ['run', 'heavy.test.ts', '--memory-budget-warn'])
    expect(result.code, result.output).toBe(0)
    expect(result.stderr).toContain('over its memory budget (warning only)')
    expect(result.stderr).toContain('heavy.test.ts peaked at')
    expect(result.report!.budgetMode).toBe('warn')
  })

  // Every layer's case (and generated ones), the mode's and each file's budget: budget-precedence.test.ts.
  test('the flag wins over the environment, which wins over the config', async () => {
    const flag = await run('cli', 'budget', ['run', 'heavy.test.ts', '--memory-budget', '1GB'], { env: { VITEST_MEMORY_BUDGET: '100MB' } })
    expect(flag.code, flag.output).toBe(0)
    expect(fileEntry(flag, 'heavy.test.ts')).toMatchObject({ budgetBytes: 1e9, budgetSource: 'global', overBudget: false })
    expect(flag.report!.budgetBytes).toBe(1e9)
  })
})
