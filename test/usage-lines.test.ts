// The exact line of each bad-usage case, in-process: memoryPool() options of the wrong type, flag
// values and unknown flags. Each case here once spawned Vitest (or the CLI) in usage.e2e.test.ts;
// that file now keeps one run per entry point, proving that such a line and exit 2 reach the user
// (the CLI prints `vitest-memory: <message>`, plain vitest the same line), and the cases live here.
import fc from 'fast-check'
import { describe, expect, test, vi } from 'vitest'
import { splitArgs } from '../src/cli/args.js'
import { runSubcommand, SUBCOMMANDS } from '../src/cli/commands.js'
import { compareCommand } from '../src/cli/compare-command.js'
import { planCommand } from '../src/cli/plan-command.js'
import { parseVitestArgs } from '../src/cli/vitest-args.js'
import { shown, UsageError } from '../src/errors.js'
import { optionsFromEnv, resolveOptions, validateConfigOptions, type MemoryPoolOptions } from '../src/options.js'

fc.configureGlobal({ seed: Number(process.env.FC_SEED ?? 20261207) })

/** The message of the UsageError `call` throws, checked to be one line. */
async function usageLine(call: () => unknown): Promise<string> {
  try {
    await call()
  } catch (error) {
    expect(error).toBeInstanceOf(UsageError)
    const message = (error as Error).message
    expect(message.split('\n'), message).toHaveLength(1)
    return message
  }
  throw new Error('expected a UsageError, nothing was thrown')
}

/** What `vitest-memory run …` does with its arguments before Vitest starts (src/cli/run.ts). */
async function parseCommandLine(argv: string[]): Promise<void> {
  const { options, vitestArgs } = splitArgs(argv)
  const { help: _help, shardPlan: _plan, ...memory } = options
  resolveOptions({}, {}, memory, '/project')
  await parseVitestArgs(vitestArgs)
}

describe('memoryPool() options of the wrong type: the whole line', () => {
  test.each<[string, MemoryPoolOptions, string]>([
    ['{ history: true }', { history: true as never }, 'Invalid memoryPool({ history }) true: use a path (a string) or false.'],
    ['{ report: 123 }', { report: 123 as never }, 'Invalid memoryPool({ report }) 123: use a path (a string), e.g. ".vitest-memory/report.json".'],
    ['{ journal: true }', { journal: true as never }, 'Invalid memoryPool({ journal }) true: use a path (a string) or false.'],
    ['{ html: 123 }', { html: 123 as never }, 'Invalid memoryPool({ html }) 123: use true, false or a path ending in .html.'],
    ['{ markdown: true }', { markdown: true as never }, 'Invalid memoryPool({ markdown }) true: use a path (a string), e.g. "memory.md".'],
    ['{ compareTo: 42 }', { compareTo: 42 as never }, 'Invalid memoryPool({ compareTo }) 42: use the path of a saved report.json (a string).'],
    [
      "{ budgets: new Map([['e2e/**', '1GB']]) }",
      { budgets: new Map([['e2e/**', '1GB']]) as never },
      "Invalid memoryPool({ budgets }) a Map: use an object of globs to sizes (a plain object literal), e.g. { 'test/e2e/**': '2GB' }.",
    ],
    [
      "{ budgets: ['1GB'] }",
      { budgets: ['1GB'] as never },
      "Invalid memoryPool({ budgets }) [\"1GB\"]: use an object of globs to sizes, e.g. { 'test/e2e/**': '2GB' }.",
    ],
    [
      "{ limits: { '': '1GB' } }",
      { limits: { '': '1GB' } },
      "Invalid memoryPool({ limits }): a glob is empty (\"\"); write one relative to the root, e.g. { 'test/e2e/**': '4GB' }.",
    ],
    ["{ html: 'x.txt' }", { html: 'x.txt' }, 'Invalid memoryPool({ html }) "x.txt": use true, false or a path ending in .html.'],
  ])('memoryPool(%s)', async (_source, options, message) => {
    expect(await usageLine(() => validateConfigOptions(options, {}, {}))).toBe(message)
  })

  // Generated wrong types for every path option: the same line, whatever the value.
  const PATH_HINTS = {
    report: { hint: 'use a path (a string), e.g. ".vitest-memory/report.json"', offByFalse: false },
    history: { hint: 'use a path (a string) or false', offByFalse: true },
    journal: { hint: 'use a path (a string) or false', offByFalse: true },
    markdown: { hint: 'use a path (a string), e.g. "memory.md"', offByFalse: false },
    compareTo: { hint: 'use the path of a saved report.json (a string)', offByFalse: false },
  } as const
  const notAPath = fc.oneof(
    fc.integer(),
    fc.double(),
    fc.boolean(),
    fc.constantFrom('', ' ', '\t\n'),
    fc.array(fc.string({ maxLength: 6 }), { maxLength: 2 }),
    fc.dictionary(fc.string({ minLength: 1, maxLength: 4 }), fc.integer(), { maxKeys: 2 }),
  )

  test('generated wrong types for a path option: "Invalid memoryPool({ key }) <value>: <what to use>."', () => {
    fc.assert(
      fc.property(fc.constantFrom(...(Object.keys(PATH_HINTS) as (keyof typeof PATH_HINTS)[])), notAPath, (key, value) => {
        const { hint, offByFalse } = PATH_HINTS[key]
        fc.pre(!(offByFalse && value === false))
        let message: string | undefined
        try {
          validateConfigOptions({ [key]: value } as MemoryPoolOptions, {}, {})
        } catch (error) {
          expect(error).toBeInstanceOf(UsageError)
          message = (error as Error).message
        }
        expect(message).toBe(`Invalid memoryPool({ ${key} }) ${shown(value)}: ${hint}.`)
      }),
      { numRuns: 200 },
    )
  })

  test('generated html values that are neither true, false nor a path ending in .html: one line, the same words', () => {
    const notHtml = fc.oneof(
      fc.integer(),
      fc.string({ maxLength: 12 }).map(name => `${name}.txt`),
      fc.constantFrom('', '.html', 'reports/mem'),
    )
    fc.assert(
      fc.property(notHtml, value => {
        let message: string | undefined
        try {
          validateConfigOptions({ html: value as never }, {}, {})
        } catch (error) {
          message = (error as Error).message
        }
        expect(message).toBe(`Invalid memoryPool({ html }) ${shown(value)}: use true, false or a path ending in .html.`)
      }),
      { numRuns: 100 },
    )
  })
})

/** How every size message ends: what to write instead. */
const WITH_A_UNIT = 'write it with a unit, e.g. "512MB", "1.5GB", "800MiB", "2GiB" or "25%".'

describe('flag values: the whole line, quoting the value', () => {
  test.each([
    ['--spare-processes abc', ['--spare-processes', 'abc'], 'Invalid --spare-processes "abc": use a whole number from 0 to 16, or "auto".'],
    ['--spare-processes ""', ['--spare-processes', ''], 'Invalid --spare-processes "": use a whole number from 0 to 16, or "auto".'],
    [
      'a 320-digit --memory-budget',
      ['--memory-budget', `${'9'.repeat(320)}GB`],
      'Invalid --memory-budget "99999999999999999999…": more than any machine can address (2^53 bytes); write it with a unit, e.g. "512MB", "1.5GB", "800MiB", "2GiB" or "25%".',
    ],
    [
      '--max-memory lots',
      ['--max-memory', 'lots'],
      'Invalid --max-memory "lots": write it with a unit, e.g. "512MB", "1.5GB", "800MiB", "2GiB" or "25%"; or "auto" (80% of the container\'s memory limit, else of total memory).',
    ],
    [
      '--memory-html reports/mem (no .html: never a test filter)',
      ['--memory-html', 'reports/mem'],
      'Invalid --memory-html "reports/mem": a PATH after --memory-html ends in .html (e.g. --memory-html=reports/memory.html); a test filter goes before --memory-html.',
    ],
    ['--heap-profile= (empty)', ['--heap-profile='], 'Invalid --heap-profile "": use "peak", "over-budget" or "all".'],
    // These three were cli.e2e.test.ts runs.
    ['--memory-budget 512', ['--memory-budget', '512'], `Invalid --memory-budget "512": a bare number has no unit; ${WITH_A_UNIT}`],
    ['--memory-budget 12XB', ['--memory-budget', '12XB'], `Invalid --memory-budget "12XB": unknown unit "XB"; ${WITH_A_UNIT}`],
    ['--memory-budget -1GB', ['--memory-budget', '-1GB'], `Invalid --memory-budget "-1GB": it must be greater than zero; ${WITH_A_UNIT}`],
  ])('run %s', async (_name, argv, message) => {
    expect(await usageLine(() => parseCommandLine(['run', ...argv]))).toBe(message)
  })
})

describe('unknown flags: the whole line, refused as plain vitest refuses them', () => {
  test.each([
    [
      ['--frobnicate', 'math.test.ts'],
      'Unknown option --frobnicate: it is not a vitest-memory option (vitest-memory --help) nor a Vitest one (vitest --help).',
    ],
    [['--budget', '1GB'], 'Unknown option --budget: did you mean --memory-budget? (run vitest-memory --help for the list)'],
    // Vitest's own flag, misspelt: the suggestion comes from Vitest's flag list (the e2e run checks each installed major).
    [['--maxWorker', '1'], 'Unknown option --maxWorker: did you mean --maxWorkers? (run vitest-memory --help for the list)'],
    [['--no-frobnicate'], 'Unknown option --no-frobnicate: it is not a vitest-memory option (vitest-memory --help) nor a Vitest one (vitest --help).'],
    [['--project'], '--project needs a value: write "--project <name>".'],
    [['--memory-budgte', '1GB'], 'Unknown option --memory-budgte: did you mean --memory-budget? (run vitest-memory --help for the list)'],
  ])('run %j', async (argv, message) => {
    expect(await usageLine(() => parseCommandLine(['run', ...argv]))).toBe(message)
  })
})

describe('environment values: the whole line, naming the variable', () => {
  test('VITEST_MEMORY_BUDGET=big', async () => {
    expect(await usageLine(() => resolveOptions({}, optionsFromEnv({ VITEST_MEMORY_BUDGET: 'big' }), {}, '/project'))).toBe(
      `Invalid VITEST_MEMORY_BUDGET "big": ${WITH_A_UNIT}`,
    )
  })
})

// compare refuses its flags before it reads either report (compare.e2e.test.ts keeps one run).
describe('compare flag values: the whole line', () => {
  test.each([
    [['--fail-on-increase', '20'], 'Invalid --fail-on-increase "20": write a percentage greater than zero, e.g. "20%".'],
    [['--min-delta', '20'], `Invalid --min-delta "20": a bare number has no unit; ${WITH_A_UNIT}`],
    [
      ['--fail-on-increse', '20%'],
      'Unknown option --fail-on-increse. Did you mean --fail-on-increase? Usage: vitest-memory compare BASE.json HEAD.json [--fail-on-increase 20%] [--min-delta 20MB] [--markdown PATH]',
    ],
  ])('compare BASE HEAD %j', async (argv, message) => {
    expect(await usageLine(() => compareCommand(['base.json', 'head.json', ...argv]))).toBe(message)
  })
})

// plan checks its flags before it lists a file or reads the history (fit.e2e.test.ts keeps the
// cases that need a history on disk).
describe('plan flag values: the whole line', () => {
  test.each([
    [['--memory', '1GB', '--shards', '0', '--memory-history', 'ok.json'], 'Invalid --shards "0": use a whole number from 1 to 256.'],
    [['--memory', '1GB', '--shards', '2', '--target-duration', '1m'], 'Give --shards N or --target-duration D, not both: the target chooses the shard count.'],
    [
      ['--shards', '2', '--target-duration', '1m'],
      "--target-duration needs --memory SIZE: the workers per shard, and so its duration, depend on the job's memory.",
    ],
    [['--memory', '1GB', '--target-duration', '10'], 'Invalid --target-duration "10": write a duration with a unit, e.g. "90s", "10m" or "1h".'],
  ])('plan %j', async (argv, message) => {
    expect(await usageLine(() => planCommand(argv))).toBe(message)
  })
})

// usage.e2e.test.ts keeps one command's run through the real CLI (stdout, exit 0, nothing on stderr).
describe('subcommands take --help', () => {
  test.each(['why', 'html', 'compare', 'plan', 'tag'])('vitest-memory %s --help (and -h) prints its usage, exit 0, runs nothing', async command => {
    for (const flag of ['--help', '-h']) {
      const log = vi.spyOn(console, 'log').mockImplementation(() => {})
      const error = vi.spyOn(console, 'error').mockImplementation(() => {})
      const run = vi.spyOn(SUBCOMMANDS[command], 'run')
      try {
        expect(await runSubcommand(SUBCOMMANDS[command], [flag])).toBe(0)
        expect(log).toHaveBeenCalledTimes(1)
        expect(String(log.mock.calls[0][0]).split('\n')[0]).toMatch(new RegExp(`^Usage: vitest-memory ${command}\\b`))
        expect(error).not.toHaveBeenCalled()
        expect(run).not.toHaveBeenCalled()
      } finally {
        log.mockRestore()
        error.mockRestore()
        run.mockRestore()
      }
    }
  })
})
