// Which budget a file gets, in-process, through the real readers: the flag over the environment
// over the config for the global budget and its mode (resolveOptions), then the file's own
// comment over the first matching glob over that global budget (budgetFor). budget.e2e.test.ts
// keeps one run that shows the precedence reaching the user; the cases live here.
import { readFileSync } from 'node:fs'
import { join, resolve } from 'node:path'
import fc from 'fast-check'
import { describe, expect, test } from 'vitest'
import { splitArgs } from '../src/cli/args.js'
import { optionsFromEnv, resolveOptions, type MemoryPoolOptions } from '../src/options.js'
import { parseAnnotations } from '../src/policy/annotations.js'
import { budgetFor } from '../src/policy/budget.js'

fc.configureGlobal({ seed: Number(process.env.FC_SEED ?? 20261207) })

/** The budget fixture's project, whose config is read as written (global 150MB, glob/** 400MB). */
const FIXTURE = resolve(import.meta.dirname, 'fixtures/budget')
const CONFIG: MemoryPoolOptions = { budget: '150MB', budgets: { 'glob/**': '400MB' } }
const FILES = ['heavy.test.ts', 'glob/heavy-glob.test.ts', 'glob/comment-wins.test.ts', 'roomy.test.ts']

/** The options of `vitest-memory run <argv>` with the variables `env`, over `config`. */
function resolved(config: MemoryPoolOptions, env: Record<string, string>, argv: string[]) {
  return resolveOptions(config, optionsFromEnv(env), splitArgs(argv).options, FIXTURE)
}

/** Each fixture file's budget, as the pool chooses it from the file's own comments. */
function budgets(options: ReturnType<typeof resolved>) {
  return FILES.map(file => budgetFor(file, parseAnnotations(readFileSync(join(FIXTURE, file), 'utf8'), file), options))
}

describe('the global budget: flag > environment > config', () => {
  test.each([
    ['the config alone', {}, [], 150e6],
    ['the environment over the config', { VITEST_MEMORY_BUDGET: '1GB' }, [], 1e9],
    ['the flag over the environment and the config', { VITEST_MEMORY_BUDGET: '100MB' }, ['--memory-budget', '1GB'], 1e9],
    ['the flag over the config', {}, ['--memory-budget=100MB'], 100e6],
    ['--no-memory-budget turns off what the environment and the config set', { VITEST_MEMORY_BUDGET: '1GB' }, ['--no-memory-budget'], null],
    ['VITEST_MEMORY_BUDGET=0 turns the config budget off', { VITEST_MEMORY_BUDGET: '0' }, [], null],
  ])('%s', (_name, env, argv, bytes) => {
    expect(resolved(CONFIG, env, argv).budgetBytes).toBe(bytes)
  })

  test('generated layers: the highest one that sets the budget (a size, or off) wins', () => {
    // A layer leaves the budget unset, sets a size in MB, or turns it off.
    const layer = fc.option(fc.oneof(fc.integer({ min: 1, max: 99_999 }), fc.constant('off' as const)), { nil: undefined })
    fc.assert(
      fc.property(layer, layer, layer, (config, env, flag) => {
        const text = (mb: number) => `${mb}MB`
        const options = resolved(
          config === undefined ? {} : { budget: config === 'off' ? null : text(config) },
          env === undefined ? {} : { VITEST_MEMORY_BUDGET: env === 'off' ? 'off' : text(env) },
          flag === undefined ? [] : flag === 'off' ? ['--no-memory-budget'] : ['--memory-budget', text(flag)],
        )
        const winner = flag ?? env ?? config
        expect(options.budgetBytes).toBe(winner === undefined || winner === 'off' ? null : winner * 1e6)
      }),
      { numRuns: 200 },
    )
  })
})

describe('the budget mode: flag > environment > config', () => {
  test.each([
    ['the default', {}, {}, [], 'fail'],
    ['VITEST_MEMORY_BUDGET_MODE=warn (the environment form of --memory-budget-warn)', {}, { VITEST_MEMORY_BUDGET_MODE: 'warn' }, [], 'warn'],
    ['--memory-budget-warn', {}, {}, ['--memory-budget-warn'], 'warn'],
    ['the environment over the config', { budgetMode: 'warn' as const }, { VITEST_MEMORY_BUDGET_MODE: '0' }, [], 'fail'],
    ['--no-memory-budget-warn over the environment', {}, { VITEST_MEMORY_BUDGET_MODE: 'warn' }, ['--no-memory-budget-warn'], 'fail'],
  ])('%s', (_name, config, env, argv, mode) => {
    expect(resolved({ ...CONFIG, ...config }, env, argv).budgetMode).toBe(mode)
  })
})

describe("a file's budget: its comment, then the first matching glob, then the global one", () => {
  test('from the config: global for heavy, the glob for glob/heavy-glob, the comments for comment-wins and roomy', () => {
    expect(budgets(resolved(CONFIG, {}, []))).toEqual([
      { bytes: 150e6, source: 'global' },
      { bytes: 400e6, source: 'glob glob/**' },
      { bytes: 40e6, source: 'comment' },
      { bytes: 500e6, source: 'comment' },
    ])
  })

  test('a flag or a variable sets the global budget only: globs and comments still win over it', () => {
    for (const options of [
      resolved(CONFIG, { VITEST_MEMORY_BUDGET: '100MB' }, ['--memory-budget', '1GB']),
      resolved(CONFIG, { VITEST_MEMORY_BUDGET: '1GB' }, []),
    ]) {
      expect(budgets(options)).toEqual([
        { bytes: 1e9, source: 'global' },
        { bytes: 400e6, source: 'glob glob/**' },
        { bytes: 40e6, source: 'comment' },
        { bytes: 500e6, source: 'comment' },
      ])
    }
  })

  test('with no global budget a file outside the globs, without a comment, has none', () => {
    expect(budgets(resolved(CONFIG, {}, ['--no-memory-budget']))[0]).toBeNull()
  })
})
