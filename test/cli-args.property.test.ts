// Generated command lines through the CLI's own argument handling, in-process: our flags with
// good, bad and missing values, unknown flags, Vitest's own flags, filters and a `--` tail. Each
// either parses or is a UsageError whose message is one line that names a flag or value the user
// typed; never another exception, never an unknown flag let through.
import fc from 'fast-check'
import { writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { beforeAll, describe, expect, test, vi } from 'vitest'
import { FLAGS, splitArgs } from '../src/cli/args.js'
import { parseCommandArgs } from '../src/cli/command-args.js'
import { COMPARE_FLAGS, COMPARE_USAGE } from '../src/cli/compare-command.js'
import { HTML_FLAGS, HTML_USAGE } from '../src/cli/html-command.js'
import { PLAN_FLAGS, PLAN_USAGE } from '../src/cli/plan-command.js'
import { parseVitestArgs } from '../src/cli/vitest-args.js'
import { shown, UsageError } from '../src/errors.js'
import { OPTIONS } from '../src/option-table.js'
import { copyFixture, run } from './helpers.js'
import { closestSize } from '../src/policy/per-file.js'
import { memoryIntensiveSource } from '../src/policy/tags.js'
import { environmentVariables, optionsFromEnv, resolveOptions, validateConfigOptions, type MemoryPoolOptions } from '../src/options.js'

// From the parser's own table: every flag that takes a value, and every switch (an optional value included).
const VALUED = FLAGS.filter(f => f.value && !f.optional).map(f => f.flag)
const SWITCHES = FLAGS.filter(f => !f.value || f.optional).map(f => f.flag)
/** Flags neither vitest-memory nor Vitest knows: wherever they appear before `--`, the line must be refused. */
const UNKNOWN = ['--frobnicate', '--budget', '--memory-budjet', '--maxWorker', '--no-such-thing', '--memory']

const value = fc.oneof(
  fc.constantFrom('512MB', '1.5GB', '25%', '20%', '3', '0', 'auto', 'AUTO', 'out/r.json', 'all', 'over-budget', 'page.html', 'reports/mem', 'peak'),
  fc.constantFrom('', ' ', 'abc', '-1GB', '12XB', `${'9'.repeat(320)}GB`, '1e400GB', 'NaN', '--reporter=dot', 'a\nb', '"quoted"'),
  fc.string({ maxLength: 12 }),
)

const ours = fc.oneof(
  fc.tuple(fc.constantFrom(...VALUED), value).map(([flag, v]) => [flag, v]),
  fc.tuple(fc.constantFrom(...VALUED), value).map(([flag, v]) => [`${flag}=${v}`]),
  fc.constantFrom(...VALUED).map(flag => [flag]),
  fc.constantFrom(...SWITCHES).map(flag => [flag]),
  fc.tuple(fc.constantFrom(...SWITCHES), value).map(([flag, v]) => [`${flag}=${v}`]),
)
const unknown = fc.oneof(
  fc.constantFrom(...UNKNOWN).map(flag => [flag]),
  fc.tuple(fc.constantFrom(...UNKNOWN), value).map(([flag, v]) => [flag, v]),
  fc.stringMatching(/^[a-z][a-z-]{1,12}$/).map(name => [`--x-${name}`]),
)
const vitestOwn = fc.constantFrom(
  ['--reporter=dot'],
  ['-t', 'adds'],
  ['--coverage.enabled=false'],
  ['--no-file-parallelism'],
  ['-u'],
  ['--project', 'unit'],
  ['--maxWorkers=2'],
  ['--outputFile.blob=out.json'],
  ['-c', 'vitest.config.ts'],
  ['--project'],
  ['-t'],
  ['--bail=1'],
)
const positional = fc.constantFrom(['run'], ['math'], ['test/a.test.ts'], ['src/'])
const tail = fc.constantFrom([], ['--', '--frobnicate', '--memory-budget'])

const argvs = fc.tuple(fc.array(fc.oneof(ours, unknown, vitestOwn, positional), { maxLength: 6 }), tail).map(([parts, rest]) => [...parts.flat(), ...rest])

// ---- Generated memoryPool() arguments ----
const keys = OPTIONS.map(o => o.key)
const odd = fc.constantFrom<unknown>(
  new Map([['e2e/**', '1GB']]),
  new Map(),
  new Set(['a']),
  new Date(0),
  new (class Options {})(),
  Object.create(null),
  () => 1,
  Symbol('x'),
  10n,
  { '': '1GB' },
  { ' ': '1GB', 'a/**': '2GB' },
  { 'e2e/**': '' },
  { 'e2e/**': new Map() },
  ['1GB'],
  [''],
  ['a', 3],
  'x.txt',
  'reports/mem',
  'page.html',
  NaN,
  Infinity,
  -1,
  0,
  1.5,
  60_000,
  null,
  true,
  false,
  '',
  ' ',
  '1GB',
  'auto',
  'all',
  'warn',
  'skip',
  'added',
  '20%',
)
const anyValue = fc.oneof(odd, value, fc.jsonValue({ maxDepth: 2 }))
const options = fc.dictionary(fc.constantFrom(...keys), anyValue, { maxKeys: 4 })
// Per-file globs, where a bad key once got through to picomatch mid-run.
const glob = fc.constantFrom('', ' ', 'e2e/**', '**/*.test.ts', '{', '!')
const globSizes = fc.oneof(fc.dictionary(glob, fc.oneof(fc.constantFrom('1GB', '25%'), odd), { maxKeys: 3 }), odd)
const globs = fc.record({ budgets: globSizes, limits: globSizes, memoryIntensive: fc.oneof(fc.array(glob, { maxLength: 3 }), odd) }, { requiredKeys: [] })
const topLevel = fc.oneof({ weight: 6, arbitrary: options }, { weight: 4, arbitrary: globs }, { weight: 1, arbitrary: odd })

/** NaN or Infinity printed as a value, not inside the quotes of what the user typed. */
const UNQUOTED_NON_NUMBER = /(^|[^"\w])(NaN|Infinity)([^"\w]|$)/

/** What `vitest-memory run …` does with its arguments before Vitest starts. */
async function parseCommandLine(argv: string[]): Promise<void> {
  const { options, vitestArgs } = splitArgs(argv)
  const { help: _help, shardPlan: _plan, ...memory } = options
  resolveOptions({}, {}, memory, '/project')
  await parseVitestArgs(vitestArgs)
}

/** A token as a message may name it: the flag, the value, or either quoted (and cut) as shown() does. */
function namesSomethingTyped(message: string, argv: string[]): boolean {
  return argv.some(token => {
    const [flag, ...rest] = token.split('=')
    const inline = rest.join('=')
    const pieces = [token, flag, shown(token), ...(rest.length ? [shown(inline)] : [])].filter(p => p.length > 1)
    return pieces.some(p => message.includes(p))
  })
}

/** What memoryPool() does with its argument at config load, and what the run does with its globs later. */
function configOutcome(config: unknown): unknown {
  try {
    validateConfigOptions(config as MemoryPoolOptions, {}, {})
    const resolved = resolveOptions(config as MemoryPoolOptions, {}, {}, '/project')
    // An empty glob once got this far and threw a TypeError in picomatch mid-run.
    closestSize('test/a.test.ts', null, resolved.budgets, resolved.budgetBytes)
    closestSize('test/a.test.ts', null, resolved.limits, resolved.limitBytes)
    memoryIntensiveSource({ relativeFile: 'test/a.test.ts', fileTags: [], globs: resolved.memoryIntensiveGlobs, aboveBytes: null, lastMeasured: null })
    return undefined
  } catch (error) {
    return error
  }
}

/** NaN or Infinity anywhere in a generated value (then a message may rightly show it). */
function hasNonFinite(value: unknown, depth = 0): boolean {
  if (typeof value === 'number') return !Number.isFinite(value)
  if (depth > 4 || typeof value !== 'object' || value === null) return false
  const inner = value instanceof Map ? [...value.values()] : Object.values(value)
  return inner.some(v => hasNonFinite(v, depth + 1))
}

/** A generated value as the JavaScript a vitest.config.ts would write it in. */
function source(value: unknown): string {
  if (value instanceof Map) return `new Map(${source([...value])})`
  if (value instanceof Set) return `new Set(${source([...value])})`
  if (value instanceof Date) return `new Date(${value.getTime()})`
  if (typeof value === 'function') return '() => 1'
  if (typeof value === 'symbol') return "Symbol('x')"
  if (typeof value === 'bigint') return `${value}n`
  if (typeof value === 'number') return String(value)
  if (Array.isArray(value)) return `[${value.map(source).join(', ')}]`
  if (value && typeof value === 'object') {
    const proto = Object.getPrototypeOf(value)
    if (proto !== Object.prototype && proto !== null) return `new (class ${proto.constructor?.name || 'X'} {})()`
    const body = Object.entries(value)
      .map(([k, v]) => `${JSON.stringify(k)}: ${source(v)}`)
      .join(', ')
    return proto === null ? `Object.assign(Object.create(null), { ${body} })` : `{ ${body} }`
  }
  return JSON.stringify(value) ?? 'undefined'
}

describe('generated command lines', () => {
  // Removed options warn once per process; the warnings are not what these properties are about.
  beforeAll(() => {
    vi.spyOn(console, 'warn').mockImplementation(() => {})
  })

  test('parse, or one UsageError line that names what the user typed; unknown flags never pass', async () => {
    await fc.assert(
      fc.asyncProperty(argvs, async argv => {
        let error: unknown
        try {
          await parseCommandLine(argv)
        } catch (caught) {
          error = caught
        }
        const own = argv.includes('--') ? argv.slice(0, argv.indexOf('--')) : argv
        if (own.some(token => UNKNOWN.includes(token) || token.startsWith('--x-'))) expect(error, `accepted ${JSON.stringify(argv)}`).toBeDefined()
        if (error === undefined) return
        expect(error, String((error as Error)?.stack)).toBeInstanceOf(UsageError)
        const message = (error as UsageError).message
        expect(message.split('\n'), message).toHaveLength(1)
        expect(message.length).toBeGreaterThan(10)
        expect(message).not.toMatch(/^vitest-memory:|\[object Object\]/)
        expect(message, 'a number that is not one, outside the quoted value').not.toMatch(UNQUOTED_NON_NUMBER)
        expect(namesSomethingTyped(message, own), `${message} — for ${JSON.stringify(argv)}`).toBe(true)
      }),
      { numRuns: 200 },
    )
  })

  test('generated VITEST_MEMORY_* values: resolve, or one line that names the variable', () => {
    const env = fc.dictionary(fc.constantFrom(...environmentVariables()), value, { maxKeys: 4 })
    fc.assert(
      fc.property(env, variables => {
        let error: unknown
        try {
          resolveOptions({}, optionsFromEnv(variables), {}, '/project')
        } catch (caught) {
          error = caught
        }
        if (error === undefined) return
        expect(error, String((error as Error)?.stack)).toBeInstanceOf(UsageError)
        const message = (error as UsageError).message
        expect(message.split('\n'), message).toHaveLength(1)
        expect(message).not.toMatch(/\[object Object\]/)
        expect(message).not.toMatch(UNQUOTED_NON_NUMBER)
        expect(
          Object.keys(variables).some(name => message.includes(name)),
          `${message} — for ${JSON.stringify(variables)}`,
        ).toBe(true)
      }),
      { numRuns: 200 },
    )
  })

  test('generated memoryPool() objects (Maps, empty globs, wrong types, removed keys): resolve, or one UsageError line that names the option', () => {
    fc.assert(
      fc.property(topLevel, config => {
        const error = configOutcome(config)
        if (error === undefined) return
        expect(error, String((error as Error)?.stack)).toBeInstanceOf(UsageError)
        const message = (error as UsageError).message
        expect(message.split('\n'), message).toHaveLength(1)
        expect(message).not.toMatch(/\[object |undefined:|TypeError/)
        // NaN or Infinity in the message only as the value the config gave.
        if (!hasNonFinite(config)) expect(message).not.toMatch(UNQUOTED_NON_NUMBER)
        // The message points at the option (or at the argument as a whole).
        const named =
          typeof config === 'object' &&
          config !== null &&
          Object.keys(config).some(key => message.includes(`{ ${key} }`) || message.includes(shown(key)) || message.includes('for "'))
        expect(named || message.startsWith('Invalid memoryPool() argument'), `${message} — for ${shown(config)}`).toBe(true)
      }),
      { numRuns: 300 },
    )
  })

  // tag parses its own arguments (src/cli/tag.ts) and is left to its own tests.
  test('generated subcommand arguments (compare, html, plan): parse, or one line', () => {
    const specs = [
      { usage: COMPARE_USAGE, valued: COMPARE_FLAGS },
      { usage: HTML_USAGE, valued: HTML_FLAGS },
      { usage: PLAN_USAGE, valued: PLAN_FLAGS, passRest: true },
    ]
    const flags = [...new Set([...specs.flatMap(spec => Object.keys(spec.valued)), '--help'])]
    const token = fc.oneof(
      fc.constantFrom(...flags),
      fc.constantFrom(...UNKNOWN),
      value,
      fc.tuple(fc.constantFrom(...flags), value).map(([f, v]) => `${f}=${v}`),
    )
    fc.assert(
      fc.property(fc.constantFrom(...specs), fc.array(token, { maxLength: 6 }), (spec, argv) => {
        let error: unknown
        try {
          parseCommandArgs(argv, spec)
        } catch (caught) {
          error = caught
        }
        if (error === undefined) return
        expect(error, String((error as Error)?.stack)).toBeInstanceOf(UsageError)
        const message = (error as UsageError).message
        expect(message.split('\n'), message).toHaveLength(1)
        expect(message).not.toMatch(UNQUOTED_NON_NUMBER)
      }),
      { numRuns: 200 },
    )
  })

  test('a few generated bad configs through the real CLI: exit 2, the one line, no stack', async () => {
    const bad = fc
      .sample(topLevel, { numRuns: 200, seed: 25 })
      .filter(config => configOutcome(config) instanceof UsageError)
      .slice(0, 3)
    expect(bad).toHaveLength(3)
    for (const config of bad) {
      const dir = copyFixture('bad-option')
      writeFileSync(
        join(dir, 'vitest.config.ts'),
        `import { defineConfig } from 'vitest/config'\nimport { memoryPool } from 'vitest-memory'\n\nexport default defineConfig({ test: { pool: memoryPool(${source(config)} as never) } })\n`,
      )
      const result = await run('cli', dir, ['run'], { report: false })
      expect(result.code, `${source(config)}\n${result.output}`).toBe(2)
      expect(result.stderr.trim(), source(config)).toBe(`vitest-memory: ${(configOutcome(config) as UsageError).message}`)
      expect(result.output).not.toMatch(/\n\s+at .*:\d+:\d+/)
    }
  }, 120_000)

  test('a few hand-written lines the generator may miss', async () => {
    await expect(parseCommandLine(['run', '--frobnicate', 'test/a.test.ts'])).rejects.toThrow('Unknown option --frobnicate')
    await expect(parseCommandLine(['--budget', '1GB'])).rejects.toThrow('did you mean --memory-budget?')
    // mri reads a stray "-1GB" as the short flags -1 -G -B: named as typed, not as "-1"
    await expect(parseCommandLine(['run', 'math', '-1GB'])).rejects.toThrow(/^Unknown option -1GB:/)
    await expect(parseCommandLine(['run', '--coverage.enabled', '--no-color', '-u', '--', '--anything'])).resolves.toBeUndefined()
  })
})
