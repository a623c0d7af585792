// The reference cannot drift: docs/reference.md's options table is generated from the code's one
// table, and that table names exactly the flags and environment variables the parsers know.
// The terminal outputs in README.md and docs/ match what the committed projects print now.
import { execFileSync } from 'node:child_process'
import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { describe, expect, test } from 'vitest'
import { FLAGS } from '../src/cli/args.js'
import { envOf, flagsOf, OPTIONS, renderOptionsTable } from '../src/option-table.js'
import { environmentVariables, validateConfigOptions } from '../src/options.js'
import { ROOT } from './helpers.js'

/** Flags that are not memoryPool() options: they steer the CLI itself. */
const CLI_ONLY_FLAGS = ['--shard-plan']

describe('docs/reference.md and src/option-table.ts', () => {
  test('the committed options table is the one the code generates (`npm run docs`)', () => {
    const reference = readFileSync(join(ROOT, 'docs/reference.md'), 'utf8')
    const block = /<!-- generated: options table[^>]*-->\n([\s\S]*?)\n<!-- end generated -->/.exec(reference)
    expect(block, 'docs/reference.md lost its generated block').not.toBeNull()
    expect(block![1]).toBe(renderOptionsTable())
  })

  test('every flag the CLI parses is in the table, and every flag the table names is parsed', () => {
    const parsed = FLAGS.map(f => f.flag).filter(f => !CLI_ONLY_FLAGS.includes(f)).sort()
    const documented = [...new Set(OPTIONS.flatMap(flagsOf))].sort()
    expect(documented).toEqual(parsed)
  })

  test('every VITEST_MEMORY_* variable the options read is in the table, and no other', () => {
    const read = [...new Set(environmentVariables())].sort()
    const documented = [...new Set(OPTIONS.flatMap(envOf))].sort()
    expect(documented).toEqual(read)
  })

  test('the validator accepts exactly the table\'s keys, each a memoryPool() option name', () => {
    for (const option of OPTIONS) expect(option.key).toMatch(/^[a-z][A-Za-z]+$/)
    for (const option of OPTIONS) expect(() => validateConfigOptions({ [option.key]: undefined } as never)).not.toThrow()
    expect(() => validateConfigOptions({ notAnOption: 1 } as never)).toThrow(/notAnOption/)
  })
})

/** Twelve real runs, two of them 4-5 s of growth before their runner is killed: ~25 s on a quiet 2-core machine. */
const DOC_RUNS_TIMEOUT_MS = 180_000

describe('terminal outputs shown in the docs', () => {
  test('match what the committed projects print now, modulo sizes and times (`npm run docs` rewrites them)', () => {
    // Throws with the drifted blocks named when one differs.
    execFileSync(process.execPath, [join(ROOT, 'scripts/doc-outputs.mjs'), '--check'], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] })
  }, DOC_RUNS_TIMEOUT_MS)
})
