// Output paths that are not our own regular file: a FIFO, a device node, a symbolic link, a hard
// link. Nothing that is not the tool's regular file is renamed, set aside or replaced: a FIFO or a
// character device is written into in place, a link is refused with one line, a file with another
// hard link is replaced by a rename so the other name keeps its content.
import { execFileSync } from 'node:child_process'
import { linkSync, lstatSync, mkdirSync, readdirSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { describe, expect, test } from 'vitest'
import { copyFixture, run } from './helpers.js'

/** mknod needs root (or CAP_MKNOD); without it the device cases are skipped, not faked. */
function makeDevice(path: string, minor: number): boolean {
  try {
    execFileSync('mknod', [path, 'c', '1', String(minor)], { stdio: 'ignore' })
    return true
  } catch {
    return false
  }
}

function kindOf(path: string): string {
  const stats = lstatSync(path)
  return stats.isFIFO()
    ? 'fifo'
    : stats.isCharacterDevice()
      ? `char ${stats.rdev}`
      : stats.isSymbolicLink()
        ? 'link'
        : stats.isFile()
          ? `file x${stats.nlink}`
          : 'other'
}

const canMknod = (() => {
  const probe = join(copyFixture('untrusted'), 'probe')
  return makeDevice(probe, 3)
})()

describe.skipIf(!canMknod)("a run whose outputs are a FIFO, a device node and a link (the issue's repro)", () => {
  test('each is still what it was afterwards; the link is refused in one line; the device got the journal in place', async () => {
    const root = copyFixture('untrusted')
    const s = join(root, 's')
    mkdirSync(s)
    execFileSync('mkfifo', [join(s, 'fifo')])
    makeDevice(join(s, 'nulldev'), 3)
    writeFileSync(join(s, 't.json'), 'orig\n')
    symlinkSync('t.json', join(s, 'link.json'))
    const before = Object.fromEntries(['fifo', 'nulldev', 't.json', 'link.json'].map(name => [name, kindOf(join(s, name))]))
    const result = await run(
      'cli',
      root,
      ['run', '--memory-report', 's/link.json', '--memory-journal', 's/nulldev', '--memory-markdown', 's/fifo', '--memory-history', 's/nulldev'],
      { report: false },
    )
    const after = Object.fromEntries(['fifo', 'nulldev', 't.json', 'link.json'].map(name => [name, kindOf(join(s, name))]))
    expect(after).toEqual(before)
    expect(readFileSync(join(s, 't.json'), 'utf8')).toBe('orig\n')
    // Nothing set aside or left beside them.
    expect(readdirSync(s).sort()).toEqual(['fifo', 'link.json', 'nulldev', 't.json'])
    const problems = result.stderr.split('\n').filter(line => line.startsWith('vitest-memory: could not write'))
    expect(problems, result.output).toEqual([
      'vitest-memory: could not write the JSON report s/link.json: ELINK: it is a symbolic link; vitest-memory writes only regular files, FIFOs and character devices, and never through a link',
      // Nobody reads the FIFO: said, and the run does not hang on it.
      'vitest-memory: could not write the Markdown summary s/fifo: ENXIO: it is a FIFO no process is reading',
    ])
    // Asked-for outputs that could not be written fail the run; the table is still there.
    expect(result.code, result.output).toBe(1)
    expect(result.output).toContain('a.test.ts')
    expect(result.output).not.toMatch(/\n\s+at .*:\d+:\d+/)
  })

  test('a FIFO with a reader gets the report in place', async () => {
    const root = copyFixture('untrusted')
    const fifo = join(root, 'report.fifo')
    execFileSync('mkfifo', [fifo])
    // The reader is a separate process (a reader in this process would block the test's loop).
    const reader = execFileAsync('sh', ['-c', `cat ${JSON.stringify(fifo)}`])
    const result = await run('cli', root, ['run', '--memory-report', fifo], { report: false })
    expect(result.code, result.output).toBe(0)
    const received = JSON.parse(await reader) as { files: { file: string }[] }
    expect(received.files.map(f => f.file).sort()).toEqual(['a.test.ts', 'b.test.ts'])
    expect(kindOf(fifo)).toBe('fifo')
  })

  test("a journal on a device that refuses writes (/dev/full's twin): one line, the run fails, the device stays", async () => {
    const root = copyFixture('untrusted')
    const full = join(root, 'fulldev')
    makeDevice(full, 7)
    const before = kindOf(full)
    const result = await run('cli', root, ['run', '--memory-journal', full], { report: false })
    expect(kindOf(full)).toBe(before)
    expect(readdirSync(root).filter(name => name.startsWith('fulldev'))).toEqual(['fulldev'])
    const lines = result.stderr.split('\n').filter(line => line.includes('journal'))
    expect(lines, result.output).toEqual([`vitest-memory: could not write the journal fulldev: ENOSPC: no space left on the device; the journal stops there`])
    expect(result.code, result.output).toBe(1)
    expect(result.output).toContain('b.test.ts')
  })

  test('a journal not asked for that fills the disk: one line, the run still passes', async () => {
    const root = copyFixture('untrusted')
    const full = join(root, 'fulldev')
    makeDevice(full, 7)
    const result = await run('cli', root, ['run'], { report: false, env: { VITEST_MEMORY_JOURNAL: full } })
    const lines = result.stderr.split('\n').filter(line => line.includes('journal'))
    expect(lines, result.output).toHaveLength(1)
    expect(lines[0]).toContain('ENOSPC')
    expect(kindOf(full)).toMatch(/^char /)
  })
})

describe('links', () => {
  test('a journal, history and report that are links are refused, never followed, and the targets are untouched', async () => {
    const root = copyFixture('untrusted')
    const outside = join(copyFixture('untrusted'), 'victim.txt')
    writeFileSync(outside, 'precious\n')
    mkdirSync(join(root, '.vitest-memory'))
    for (const name of ['journal.jsonl', 'history.json', 'report.json']) symlinkSync(outside, join(root, '.vitest-memory', name))
    const result = await run('cli', root, ['run'], { report: false })
    expect(readFileSync(outside, 'utf8')).toBe('precious\n')
    for (const name of ['journal.jsonl', 'history.json', 'report.json']) expect(kindOf(join(root, '.vitest-memory', name))).toBe('link')
    expect(readdirSync(join(root, '.vitest-memory')).filter(name => /previous|corrupt|\.tmp$/.test(name))).toEqual([])
    const refused = result.stderr.split('\n').filter(line => line.includes('ELINK'))
    expect(
      refused.map(line => line.split(':')[0] + line.split(':')[1]),
      result.output,
    ).toEqual([
      'vitest-memory could not write the journal .vitest-memory/journal.jsonl',
      'vitest-memory could not write the JSON report .vitest-memory/report.json',
    ])
    // The history is read through the link (reading harms nothing) but never written through it.
    expect(result.stderr).toContain('.vitest-memory/history.json is not valid JSON')
    expect(result.stderr).toContain("it is not vitest-memory's own regular file (a link, a device…), so it is left as it is and not updated.")
    expect(result.output).not.toMatch(/\n\s+at .*:\d+:\d+/)
  })

  test('`tag --write` on a test file with a hard link outside the project: the outside name keeps its content', async () => {
    const root = copyFixture('untrusted')
    const outside = join(copyFixture('untrusted'), 'outside.test.ts')
    linkSync(join(root, 'a.test.ts'), outside)
    const original = readFileSync(outside, 'utf8')
    expect(kindOf(outside)).toBe('file x2')
    mkdirSync(join(root, '.vitest-memory'))
    const run1 = { at: '2026-11-20T08:00:00.000Z', peakRssBytes: 2e9, treePeakRssBytes: 2e9, durationMs: 10, state: 'pass' }
    writeFileSync(join(root, '.vitest-memory/history.json'), JSON.stringify({ schemaVersion: 1, entries: [{ project: '', file: 'a.test.ts', runs: [run1] }] }))
    const result = await run('cli', root, ['tag', '--above', '1MB', '--write'], { report: false })
    expect(result.code, result.output).toBe(0)
    expect(readFileSync(join(root, 'a.test.ts'), 'utf8')).toContain('memory_intensive')
    expect(readFileSync(outside, 'utf8')).toBe(original)
    expect(kindOf(outside)).toBe('file x1')
  })
})

function execFileAsync(command: string, args: string[]): Promise<string> {
  return new Promise((done, fail) => {
    import('node:child_process').then(({ execFile }) => {
      execFile(command, args, { encoding: 'utf8', timeout: 60_000 }, (error, stdout) => (error ? fail(error) : done(stdout)))
    }, fail)
  })
}
