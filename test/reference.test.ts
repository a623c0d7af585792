// The reference cannot drift: docs/reference.md's options table and CLI synopsis are generated
// from the code's one table (src/option-table.ts), the parser's flags and the environment reader
// are built from it, and what --help says a default is, is what the resolver applies.
// The terminal outputs in README.md and docs/ match what the committed projects print now.
import { execFileSync } from 'node:child_process'
import { readdirSync, readFileSync } from 'node:fs'
import { join } from 'node:path'
import { describe, expect, test } from 'vitest'
import { FLAGS, helpText, splitArgs } from '../src/cli/args.js'
import { renderOptionsTable, renderSynopsis } from '../src/option-docs.js'
import { flagsOf, OPTIONS } from '../src/option-table.js'
import { environmentVariables, optionsFromEnv, resolveOptions, validateConfigOptions } from '../src/options.js'
import { ROOT } from './helpers.js'

/** Flags that are not memoryPool() options: they steer the CLI itself. */
const CLI_ONLY_FLAGS = ['--shard-plan']
/** VITEST_MEMORY_* variables that are no options: internal (parent → child) or a test switch, documented elsewhere. */
// VITEST_MEMORY_ORPHAN_GUARD=0 turns the orphan guard off for its benchmark only (bench/orphan-guard.mjs).
const NOT_OPTIONS = [
  'VITEST_MEMORY_CHILD_SETTINGS',
  'VITEST_MEMORY_FORCE_FALLBACK',
  'VITEST_MEMORY_ORPHAN_GUARD',
  'VITEST_MEMORY_OWN_GROUP',
  'VITEST_MEMORY_PEAK_PROFILE',
  'VITEST_MEMORY_PRELOAD',
  'VITEST_MEMORY_SHARD',
  // tests only: run-session.ts appends each run's count of option resolutions to this file
  'VITEST_MEMORY_TEST_RESOLUTIONS_FILE',
  'VITEST_MEMORY_WORKER_ENTRY',
]

/** Every .ts file under src/, for the names the code mentions. */
function sourceFiles(dir = join(ROOT, 'src')): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap(entry =>
    entry.isDirectory() ? sourceFiles(join(dir, entry.name)) : entry.name.endsWith('.ts') ? [join(dir, entry.name)] : [],
  )
}

describe('docs/reference.md and src/option-table.ts', () => {
  test('the committed options table and CLI synopsis are the ones the code generates (`npm run docs`)', () => {
    const reference = readFileSync(join(ROOT, 'docs/reference.md'), 'utf8')
    const block = (name: string) => new RegExp(`<!-- generated: ${name} [^>]*-->\\n([\\s\\S]*?)\\n<!-- end generated -->`).exec(reference)?.[1]
    expect(block('options table'), 'docs/reference.md lost its generated options table').toBe(renderOptionsTable())
    expect(block('cli synopsis'), 'docs/reference.md lost its generated CLI synopsis').toBe(`\`\`\`\n${renderSynopsis()}\n\`\`\``)
  })

  test("the parser knows exactly the table's flags (and --shard-plan), each flag once", () => {
    const parsed = FLAGS.map(f => f.flag)
    expect(new Set(parsed).size).toBe(parsed.length)
    expect(parsed.filter(f => !CLI_ONLY_FLAGS.includes(f)).sort()).toEqual(OPTIONS.flatMap(flagsOf).sort())
  })

  test('the real environment reader reads every variable of the table, each into its own option, and no other', () => {
    for (const row of OPTIONS.filter(o => o.env)) {
      for (const name of row.env!) {
        const layer = optionsFromEnv({ [name]: row.example })
        expect(Object.keys(layer), `${name}=${row.example}`).toEqual([row.key])
        expect(() => resolveOptions({}, layer, {}, '/p'), `${name}=${row.example}`).not.toThrow()
      }
    }
    // A variable the code mentions anywhere is an option's (in the table) or one of the few that are not.
    const mentioned = new Set(sourceFiles().flatMap(file => readFileSync(file, 'utf8').match(/VITEST_MEMORY_[A-Z_]+/g) ?? []))
    const options = environmentVariables()
    for (const name of mentioned) expect(options.includes(name) || NOT_OPTIONS.includes(name), `${name} is read but not in src/option-table.ts`).toBe(true)
    expect(optionsFromEnv(Object.fromEntries(NOT_OPTIONS.map(name => [name, '1'])))).toEqual({})
  })

  test("the validator accepts exactly the table's keys, each a memoryPool() option name", () => {
    for (const option of OPTIONS) expect(option.key).toMatch(/^[a-z][A-Za-z]+$/)
    for (const option of OPTIONS) expect(() => validateConfigOptions({ [option.key]: undefined } as never)).not.toThrow()
    expect(() => validateConfigOptions({ notAnOption: 1 } as never)).toThrow(/notAnOption/)
  })

  test('every default --help prints is what the code applies when the option is left out', () => {
    // Each option's block in --help: its flags line, then its description (wrapped) joined into one.
    const blocks = new Map<string, string>()
    let current = ''
    for (const line of helpText().split('\n')) {
      if (/^ {2}-/.test(line)) {
        current = line.trim()
        blocks.set(current, '')
      } else if (/^ {6}\S/.test(line) && current) blocks.set(current, `${blocks.get(current)} ${line.trim()}`.trim())
      else current = ''
    }
    const { askedFor: _, ...unset } = resolveOptions({}, {}, {}, '/p')
    let checked = 0
    for (const row of OPTIONS.filter(o => o.flags && !o.removed && o.default !== undefined)) {
      const block = [...blocks].find(([flags]) => flags.split(', ')[0].split(/[ [=]/)[0] === row.flags![0].name)?.[1] ?? ''
      const printed = /\[default: ([^;\]]+)/.exec(block)?.[1]
      expect(printed, `--help shows no default for ${row.key}`).toBeDefined()
      // Given as --help prints it, the option resolves to what leaving it out resolves to.
      const given = printed === 'true' ? true : printed === 'false' ? false : printed
      const { askedFor: __, ...explicit } = resolveOptions({ [row.key]: given } as never, {}, {}, '/p')
      expect(explicit, `${row.key}: --help says ${printed}`).toEqual(unset)
      checked++
    }
    expect(checked).toBeGreaterThan(10)
    // The drift that was: --help said --spare-processes defaults to 1.
    expect(blocks.get('--spare-processes N|auto, --no-spare-processes')).toMatch(/\[default: auto;/)
    expect(splitArgs(['--spare-processes', 'auto']).options.spareProcesses).toBe(unset.spareProcesses)
  })
})

/** Twelve real runs, two of them 4-5 s of growth before their runner is killed: ~25 s on a quiet 2-core machine. */
const DOC_RUNS_TIMEOUT_MS = 180_000

describe('terminal outputs shown in the docs', () => {
  test(
    'match what the committed projects print now, modulo sizes and times (`npm run docs` rewrites them)',
    () => {
      // Throws with the drifted blocks named when one differs.
      execFileSync(process.execPath, [join(ROOT, 'scripts/doc-outputs.mjs'), '--check'], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] })
    },
    DOC_RUNS_TIMEOUT_MS,
  )
})
