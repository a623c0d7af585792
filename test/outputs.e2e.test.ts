// What a run writes, and what happens when it cannot: the baseline of --compare-to is read before
// anything is written, and an output that fails never swallows the table or the verdict.
// Unwritable paths are made with a file where a folder should be, or a folder where a file should
// be: those fail for root too (CI runs as root, where chmod changes nothing).
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs'
import { join, relative } from 'node:path'
import { describe, expect, test } from 'vitest'
import { copyFixture, run } from './helpers.js'

/** A writable copy of a fixture without what earlier runs in the fixture itself left in .vitest-memory/. */
function freshCopy(name: string): string {
  const dir = copyFixture(name)
  rmSync(join(dir, '.vitest-memory'), { recursive: true, force: true })
  return dir
}

/** Every *.tmp file under a folder (node_modules aside). */
function tempFiles(dir: string): string[] {
  const found: string[] = []
  const walk = (d: string) => {
    for (const name of readdirSync(d)) {
      if (name === 'node_modules') continue
      const path = join(d, name)
      if (statSync(path).isDirectory()) walk(path)
      else if (name.endsWith('.tmp')) found.push(relative(dir, path))
    }
  }
  walk(dir)
  return found
}

describe('--compare-to the default report path', () => {
  test('compares with the report as it was before this run overwrote it: the grown file fails the run', async () => {
    const dir = freshCopy('reports')
    const args = ['run', 'heavy', 'light', '--no-memory-history', '--memory-budget-warn']
    const base = await run('cli', dir, args, { report: false, env: { HEAVY_MIB: '10' } })
    expect(base.code, base.output).toBe(0)
    expect(existsSync(join(dir, '.vitest-memory/report.json'))).toBe(true)

    const head = await run('cli', dir, [...args, '--compare-to', '.vitest-memory/report.json'], { report: false, env: { HEAVY_MIB: '120' } })
    expect(head.code, head.output).toBe(1)
    expect(head.stdout).toMatch(/✗ test\/heavy\.test\.ts .* grew \+1\d\d(\.\d)? MB/)
    expect(head.stderr).toContain('vitest-memory: 1 file grew beyond the threshold compared with .vitest-memory/report.json:')
    // Sizes as every other line shows them, not raw bytes.
    expect(head.stderr).toMatch(/ {2}test\/heavy\.test\.ts \d+(\.\d)? MB → 1\d\d MB \(\+\d+%\)/)
    expect(head.stderr).not.toMatch(/\d{6,} bytes/)
  })

  test('plain vitest with the report and the baseline at the same path compares with the earlier run too', async () => {
    const dir = freshCopy('reports')
    const env = { VITEST_MEMORY_REPORT: '.vitest-memory/report.json', VITEST_MEMORY_HISTORY: '0' }
    const base = await run('vitest', dir, ['run', 'heavy', 'light'], { env: { ...env, HEAVY_MIB: '10' } })
    expect(base.code, base.output).toBe(0)
    const head = await run('vitest', dir, ['run', 'heavy', 'light'], {
      env: { ...env, HEAVY_MIB: '120', VITEST_MEMORY_COMPARE_TO: '.vitest-memory/report.json' },
    })
    expect(head.code, head.output).toBe(1)
    expect(head.stderr).toContain('1 file grew beyond the threshold')
  })

  test('plain vitest with a baseline that cannot be read: one line and exit 2 when the run ends', async () => {
    const dir = freshCopy('reports')
    const result = await run('vitest', dir, ['run', 'light'], { env: { VITEST_MEMORY_COMPARE_TO: 'missing.json', VITEST_MEMORY_HISTORY: 'off' } })
    expect(result.code, result.output).toBe(2)
    expect(result.stderr.split('\n').filter(line => line.includes('vitest-memory:'))).toEqual([
      expect.stringMatching(/^vitest-memory: cannot compare: .*missing\.json/),
    ])
  })

  test('a baseline that cannot be read is exit 2 with one line before anything runs', async () => {
    const dir = freshCopy('no-pool')
    const result = await run('cli', dir, ['run', '--compare-to', 'missing.json'], { report: false })
    expect(result.code, result.output).toBe(2)
    expect(result.stderr.trim().split('\n')).toHaveLength(1)
    expect(result.stderr).toMatch(/^vitest-memory: .*missing\.json/)
    expect(result.stdout).toBe('')
    expect(existsSync(join(dir, '.vitest-memory'))).toBe(false)
  })
})

describe('an output that cannot be written', () => {
  test('a file where .vitest-memory/ should be: the table is printed, one line per output, exit 0, no temp file', async () => {
    const dir = freshCopy('no-pool')
    writeFileSync(join(dir, '.vitest-memory'), 'in the way\n')
    const result = await run('cli', dir, ['run'], { report: false })
    expect(result.code, result.output).toBe(0)
    expect(result.stdout).toContain('MEMORY')
    expect(result.stdout).toMatch(/math\.test\.ts\s+\d/)
    const lines = result.stderr.split('\n').filter(line => line.startsWith('vitest-memory:'))
    expect(lines).toHaveLength(3)
    expect(lines).toEqual(
      expect.arrayContaining([
        expect.stringMatching(/^vitest-memory: could not write the journal \.vitest-memory\/journal\.jsonl: (ENOTDIR|EEXIST)/),
        expect.stringMatching(/^vitest-memory: could not write the JSON report \.vitest-memory\/report\.json: (ENOTDIR|EEXIST)/),
        expect.stringMatching(/^vitest-memory: could not write the history \.vitest-memory\/history\.json: (ENOTDIR|EEXIST)/),
      ]),
    )
    expect(result.output).not.toMatch(/\n\s+at |Unhandled/)
    expect(tempFiles(dir)).toEqual([])
  })

  test('--memory-report pointing at a folder: the table, one line, exit 1 (it was asked for), no temp file', async () => {
    const dir = freshCopy('no-pool')
    mkdirSync(join(dir, 'out'))
    const result = await run('cli', dir, ['run', '--memory-report', 'out', '--no-memory-history'], { report: false })
    expect(result.code, result.output).toBe(1)
    expect(result.stdout).toContain('MEMORY')
    expect(result.stderr).toMatch(/^vitest-memory: could not write the JSON report out: EISDIR/m)
    expect(result.output).not.toMatch(/\n\s+at /)
    expect(tempFiles(dir)).toEqual([])
  })

  test('VITEST_MEMORY_REPORT pointing at a folder is asked for too: exit 1', async () => {
    const dir = freshCopy('no-pool')
    mkdirSync(join(dir, 'out'))
    const result = await run('cli', dir, ['run', '--no-memory-history'], { report: false, env: { VITEST_MEMORY_REPORT: 'out' } })
    expect(result.code, result.output).toBe(1)
    expect(result.stderr).toMatch(/^vitest-memory: could not write the JSON report out: EISDIR/m)
  })

  test('an unwritable Markdown and HTML path: both lines, the JSON report still written, exit 1', async () => {
    const dir = freshCopy('no-pool')
    mkdirSync(join(dir, 'summary.md'))
    writeFileSync(join(dir, 'blocked'), '')
    const result = await run('cli', dir, ['run', '--no-memory-history', '--memory-markdown', 'summary.md', '--memory-html=blocked/page.html'])
    expect(result.code, result.output).toBe(1)
    expect(result.stdout).toContain('MEMORY')
    expect(result.stderr).toMatch(/^vitest-memory: could not write the HTML report blocked\/page\.html: (ENOTDIR|EEXIST)/m)
    expect(result.stderr).toMatch(/^vitest-memory: could not write the Markdown summary summary\.md: EISDIR/m)
    expect(result.report!.files).toHaveLength(2)
    expect(tempFiles(dir)).toEqual([])
  })

  test('--memory-journal pointing at a folder: one line, exit 1, and the folder is left as it was', async () => {
    const dir = freshCopy('no-pool')
    mkdirSync(join(dir, 'logs'))
    writeFileSync(join(dir, 'logs/keep.txt'), 'mine\n')
    const result = await run('cli', dir, ['run', '--memory-journal', 'logs', '--no-memory-history'])
    expect(result.code, result.output).toBe(1)
    expect(result.stderr.split('\n').filter(line => line.includes('journal'))).toEqual([
      'vitest-memory: could not write the journal logs: EISDIR: the path is a folder; give a file name',
    ])
    expect(readdirSync(join(dir, 'logs'))).toEqual(['keep.txt'])
    expect(existsSync(join(dir, 'logs.previous'))).toBe(false)
    expect(result.report!.files).toHaveLength(2)
  })

  test("a failed output does not hide a failed test: the verdict stays 1 with the test's failure", async () => {
    const dir = freshCopy('no-pool')
    writeFileSync(join(dir, 'math.test.ts'), `import { expect, test } from 'vitest'\ntest('fails', () => { expect(1).toBe(2) })\n`)
    writeFileSync(join(dir, '.vitest-memory'), '')
    const result = await run('cli', dir, ['run'], { report: false })
    expect(result.code, result.output).toBe(1)
    expect(result.stdout).toContain('MEMORY')
    expect(result.output).toContain('1 failed')
  })
})

describe('.vitest-memory/ stays out of commits', () => {
  test('a run that creates the folder writes a .gitignore of * into it; a history kept elsewhere gets none', async () => {
    const dir = freshCopy('reports')
    const result = await run('cli', dir, ['run', 'light', '--memory-history', 'memory/history.json'], { report: false })
    expect(result.code, result.output).toBe(0)
    const ignore = readFileSync(join(dir, '.vitest-memory/.gitignore'), 'utf8')
    expect(ignore.split('\n').filter(line => line && !line.startsWith('#'))).toEqual(['*'])
    expect(existsSync(join(dir, 'memory/history.json'))).toBe(true)
    expect(existsSync(join(dir, 'memory/.gitignore'))).toBe(false)
  })

  test("a .gitignore of the user's own in the folder is left as it is, and one that was deleted comes back", async () => {
    const dir = freshCopy('reports')
    mkdirSync(join(dir, '.vitest-memory'))
    const own = '*\n!history.json\n!.gitignore\n'
    writeFileSync(join(dir, '.vitest-memory/.gitignore'), own)
    const first = await run('cli', dir, ['run', 'light'], { report: false })
    expect(first.code, first.output).toBe(0)
    expect(readFileSync(join(dir, '.vitest-memory/.gitignore'), 'utf8')).toBe(own)
    expect(existsSync(join(dir, '.vitest-memory/history.json'))).toBe(true)

    rmSync(join(dir, '.vitest-memory/.gitignore'))
    const second = await run('cli', dir, ['run', 'light'], { report: false })
    expect(second.code, second.output).toBe(0)
    expect(readFileSync(join(dir, '.vitest-memory/.gitignore'), 'utf8')).toContain('\n*\n')
  })
})
