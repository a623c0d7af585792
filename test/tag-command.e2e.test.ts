// `vitest-memory tag`: the real CLI on a scratch project with a history.
import { spawnSync } from 'node:child_process'
import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { describe, expect, test } from 'vitest'
import { cleanEnv, CLI, TARGET } from './helpers.js'

// Spelled in two parts: Vitest reads `// @module-` + `tag name` anywhere in a test file, strings included.
const TAG_LINE = `// @module-${'tag'} memory_intensive`

const SOURCES: Record<string, string> = {
  'big.test.ts': "#!/usr/bin/env node\n/**\n * @vitest-environment node\n */\nimport { test } from 'vitest'\ntest('big', () => {})\n",
  'mid.test.ts': "import { test } from 'vitest'\ntest('mid', () => {})\n",
  'small.test.ts': `${TAG_LINE}\nimport { test } from 'vitest'\ntest('small', () => {})\n`,
}
const PEAKS: Record<string, number> = { 'big.test.ts': 1.8e9, 'mid.test.ts': 600e6, 'small.test.ts': 70e6, 'deleted.test.ts': 3e9 }

function project(): string {
  const root = mkdtempSync(join(tmpdir(), 'vm-tag-'))
  for (const [file, source] of Object.entries(SOURCES)) writeFileSync(join(root, file), source)
  mkdirSync(join(root, '.vitest-memory'))
  const entries = Object.entries(PEAKS).map(([file, peak]) => ({
    project: '',
    file,
    runs: [{ at: '2026-11-20T08:00:00.000Z', peakRssBytes: peak, treePeakRssBytes: peak, durationMs: 10, state: 'pass' }],
  }))
  writeFileSync(join(root, '.vitest-memory/history.json'), JSON.stringify({ schemaVersion: 1, entries }))
  return root
}

function tag(root: string, args: string[]) {
  const result = spawnSync(TARGET.node, [CLI, 'tag', ...args], { cwd: root, env: cleanEnv(), encoding: 'utf8' })
  return { code: result.status, stdout: result.stdout, stderr: result.stderr }
}

const read = (root: string, file: string) => readFileSync(join(root, file), 'utf8')

describe('vitest-memory tag', () => {
  test('--above lists the files measured above SIZE and changes nothing', () => {
    const root = project()
    const result = tag(root, ['--above', '500MB'])
    expect(result.code, result.stderr).toBe(0)
    expect(result.stdout).toMatch(/2 files measured above 500 MB \(\.vitest-memory\/history\.json\):/)
    expect(result.stdout).toMatch(/1\.80 GB {2}big\.test\.ts {2}\(2026-11-20\) {2}would tag/)
    expect(result.stdout).toMatch(/600 MB {2}mid\.test\.ts {2}\(2026-11-20\) {2}would tag/)
    expect(result.stdout).not.toContain('deleted.test.ts')
    expect(result.stdout).toContain('Nothing was changed: add --write')
    for (const [file, source] of Object.entries(SOURCES)) expect(read(root, file)).toBe(source)
  })

  test('--write adds the comment after the shebang, keeps the docblock, and twice gives the same file', () => {
    const root = project()
    expect(tag(root, ['--above', '1GB', '--write']).stdout).toMatch(/big\.test\.ts .* tagged$/m)
    const once = read(root, 'big.test.ts')
    expect(once).toBe(`#!/usr/bin/env node\n${TAG_LINE}\n/**\n * @vitest-environment node\n */\nimport { test } from 'vitest'\ntest('big', () => {})\n`)
    const again = tag(root, ['--above', '1GB', '--write'])
    expect(again.stdout).toMatch(/big\.test\.ts .* already tagged$/m)
    expect(read(root, 'big.test.ts')).toBe(once)
    expect(read(root, 'mid.test.ts')).toBe(SOURCES['mid.test.ts'])
  })

  test('--remove-below untags the files that got lighter', () => {
    const root = project()
    const dry = tag(root, ['--remove-below', '100MB'])
    expect(dry.stdout).toMatch(/1 tagged file measured below 100 MB:\n\s+70\.0 MB {2}small\.test\.ts .* would untag/)
    expect(read(root, 'small.test.ts')).toBe(SOURCES['small.test.ts'])
    const result = tag(root, ['--remove-below', '100MB', '--above', '1GB', '--write'])
    expect(result.code, result.stderr).toBe(0)
    expect(read(root, 'small.test.ts')).toBe("import { test } from 'vitest'\ntest('small', () => {})\n")
    expect(read(root, 'big.test.ts')).toContain(TAG_LINE)
  })

  test.each([
    [['--above', '1GB', '--memory-history', 'missing.json'], /^vitest-memory: No history at missing\.json: run the tests with vitest-memory first/],
    [['--above', '12XB'], /^vitest-memory: Invalid --above "12XB": unknown unit "XB"/],
    [[], /^vitest-memory: the tag command needs --above SIZE/],
  ])('bad input %j: one line, exit 2', (args, message) => {
    const result = tag(project(), args)
    expect(result.code).toBe(2)
    expect(result.stderr).toMatch(message)
    expect(result.stderr.trim().split('\n')).toHaveLength(1)
  })

  test('a corrupt history is bad input too, and is left where it is', () => {
    const root = project()
    writeFileSync(join(root, '.vitest-memory/history.json'), 'not json')
    const result = tag(root, ['--above', '1GB'])
    expect(result.code).toBe(2)
    expect(result.stderr).toMatch(/^vitest-memory: \.vitest-memory\/history\.json is not valid JSON \(.*\): run the tests once more/)
    expect(result.stderr.trim().split('\n')).toHaveLength(1)
    expect(read(root, '.vitest-memory/history.json')).toBe('not json')
  })
})
