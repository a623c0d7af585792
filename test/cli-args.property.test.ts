// Generated command lines through the CLI's own argument handling, in-process: our flags with
// good, bad and missing values, unknown flags, Vitest's own flags, filters and a `--` tail. Each
// either parses or is a UsageError whose message is one line that names a flag or value the user
// typed; never another exception, never an unknown flag let through.
import fc from 'fast-check'
import { describe, expect, test } from 'vitest'
import { splitArgs } from '../src/cli/args.js'
import { parseCommandArgs } from '../src/cli/command-args.js'
import { COMPARE_FLAGS, COMPARE_USAGE } from '../src/cli/compare-command.js'
import { HTML_FLAGS, HTML_USAGE } from '../src/cli/html-command.js'
import { PLAN_FLAGS, PLAN_USAGE } from '../src/cli/plan-command.js'
import { parseVitestArgs } from '../src/cli/vitest-args.js'
import { shown, UsageError } from '../src/errors.js'
import { environmentVariables, optionsFromEnv, resolveOptions } from '../src/options.js'

const VALUED = ['--memory-budget', '--memory-report', '--memory-history', '--max-memory', '--spare-processes', '--memory-intensive-above',
  '--memory-markdown', '--compare-to', '--fail-on-increase', '--min-delta', '--memory-limit', '--memory-journal',
  '--recycle-above', '--retained-above', '--shared-budget']
const SWITCHES = ['--memory-budget-warn', '--no-memory-history', '--skip-memory-intensive', '--only-memory-intensive', '--detect-leaks',
  '--heap-profile', '--memory-html', '--no-memory-journal']
/** Flags neither vitest-memory nor Vitest knows: wherever they appear before `--`, the line must be refused. */
const UNKNOWN = ['--frobnicate', '--budget', '--memory-budjet', '--maxWorker', '--no-such-thing', '--memory']

const value = fc.oneof(
  fc.constantFrom('512MB', '1.5GB', '25%', '20%', '3', '0', 'auto', 'AUTO', 'out/r.json', 'all', 'over-budget', 'page.html'),
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
  ['--reporter=dot'], ['-t', 'adds'], ['--coverage.enabled=false'], ['--no-file-parallelism'], ['-u'], ['--project', 'unit'],
  ['--maxWorkers=2'], ['--outputFile.blob=out.json'], ['-c', 'vitest.config.ts'], ['--project'], ['-t'], ['--bail=1'],
)
const positional = fc.constantFrom(['run'], ['math'], ['test/a.test.ts'], ['src/'])
const tail = fc.constantFrom([], ['--', '--frobnicate', '--memory-budget'])

const argvs = fc.tuple(fc.array(fc.oneof(ours, unknown, vitestOwn, positional), { maxLength: 6 }), tail)
  .map(([parts, rest]) => [...parts.flat(), ...rest])

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
  return argv.some((token) => {
    const [flag, ...rest] = token.split('=')
    const inline = rest.join('=')
    const pieces = [token, flag, shown(token), ...(rest.length ? [shown(inline)] : [])].filter(p => p.length > 1)
    return pieces.some(p => message.includes(p))
  })
}

describe('generated command lines', () => {
  test('parse, or one UsageError line that names what the user typed; unknown flags never pass', async () => {
    await fc.assert(fc.asyncProperty(argvs, async (argv) => {
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
    }), { numRuns: 200 })
  })

  test('generated VITEST_MEMORY_* values: resolve, or one line that names the variable', () => {
    const env = fc.dictionary(fc.constantFrom(...environmentVariables()), value, { maxKeys: 4 })
    fc.assert(fc.property(env, (variables) => {
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
      expect(Object.keys(variables).some(name => message.includes(name)), `${message} — for ${JSON.stringify(variables)}`).toBe(true)
    }), { numRuns: 200 })
  })

  // tag parses its own arguments (src/cli/tag.ts) and is left to its own tests.
  test('generated subcommand arguments (compare, html, plan): parse, or one line', () => {
    const specs = [
      { usage: COMPARE_USAGE, valued: COMPARE_FLAGS },
      { usage: HTML_USAGE, valued: HTML_FLAGS },
      { usage: PLAN_USAGE, valued: PLAN_FLAGS, passRest: true },
    ]
    const flags = [...new Set([...specs.flatMap(spec => Object.keys(spec.valued)), '--help'])]
    const token = fc.oneof(fc.constantFrom(...flags), fc.constantFrom(...UNKNOWN), value, fc.tuple(fc.constantFrom(...flags), value).map(([f, v]) => `${f}=${v}`))
    fc.assert(fc.property(fc.constantFrom(...specs), fc.array(token, { maxLength: 6 }), (spec, argv) => {
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
    }), { numRuns: 200 })
  })

  test('a few hand-written lines the generator may miss', async () => {
    await expect(parseCommandLine(['run', '--frobnicate', 'test/a.test.ts'])).rejects.toThrow('Unknown option --frobnicate')
    await expect(parseCommandLine(['--budget', '1GB'])).rejects.toThrow('did you mean --memory-budget?')
    // mri reads a stray "-1GB" as the short flags -1 -G -B: named as typed, not as "-1"
    await expect(parseCommandLine(['run', 'math', '-1GB'])).rejects.toThrow(/^Unknown option -1GB:/)
    await expect(parseCommandLine(['run', '--coverage.enabled', '--no-color', '-u', '--', '--anything'])).resolves.toBeUndefined()
  })
})
