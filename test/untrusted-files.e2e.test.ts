// Every file vitest-memory reads may come from a CI cache or another machine: hostile histories,
// reports, journals and shard plans, through the real CLI. Each ends in one line naming the file
// (exit 2 for input the command cannot use), never a stack, never a write outside the project,
// and a partly bad history keeps its good entries.
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, statSync, symlinkSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { dirname, join } from 'node:path'
import { beforeAll, describe, expect, test } from 'vitest'
import type { MemoryReport } from '../src/record/report.js'
import { copyFixture, run, type RunResult } from './helpers.js'

const TAG_LINE = `// @module-${'tag'} memory_intensive`
const RUN = (at: unknown, peak: unknown = 2e9) => ({ at, peakRssBytes: peak, treePeakRssBytes: peak, durationMs: 10, state: 'pass' })
const GOOD_AT = '2026-11-20T08:00:00.000Z'

/** Exit 2 and one line on stderr that names `file`; no stack trace anywhere. */
function expectOneLine(result: RunResult, file: string): void {
  expect(result.code, result.output).toBe(2)
  const lines = result.stderr.trim().split('\n')
  expect(lines, result.stderr).toHaveLength(1)
  expect(lines[0]).toMatch(/^vitest-memory: /)
  expect(lines[0]).toContain(file)
  expect(result.output).not.toMatch(/\n\s+at .*:\d+:\d+/)
}

function snapshot(dir: string): Record<string, string> {
  const out: Record<string, string> = {}
  for (const name of readdirSync(dir, { recursive: true, encoding: 'utf8' })) {
    const path = join(dir, name)
    if (statSync(path).isFile()) out[name] = readFileSync(path, 'utf8')
  }
  return out
}

describe('a history with bad entries', () => {
  const history = (extra: object[] = []) =>
    JSON.stringify({
      schemaVersion: 1,
      entries: [
        { project: '', file: 'a.test.ts', runs: [RUN(1795000000000)] },
        { project: '', file: 'b.test.ts', runs: [RUN(GOOD_AT, 70e6)] },
        { project: '', file: 'b.test.ts', runs: [null] },
        ...extra,
      ],
    })

  test('a run keeps the good entries, drops the bad ones with one warning line, and updates the history', async () => {
    const root = copyFixture('untrusted')
    const path = join(root, '.vitest-memory/history.json')
    mkdirSync(dirname(path), { recursive: true })
    writeFileSync(path, history())
    // --memory-intensive-above reads each file's last run: a numeric `at` used to end the run in a TypeError.
    const result = await run('cli', root, ['run', '--memory-intensive-above', '1MB'])
    expect(result.code, result.output).toBe(0)
    expect(result.report!.files.map(f => f.state).sort()).toEqual(['pass', 'pass'])
    const warnings = result.output.split('\n').filter(line => line.includes('history.json:'))
    expect(warnings).toEqual([
      'vitest-memory: .vitest-memory/history.json: entries[0].runs[0].at must be a string (ISO date), got number 1795000000000 — 2 entries dropped, the first shown; 1 file kept.',
    ])
    const saved = JSON.parse(readFileSync(path, 'utf8'))
    const b = saved.entries.find((e: { file: string }) => e.file === 'b.test.ts')
    expect(b.runs.map((r: { at: string }) => r.at)[0]).toBe(GOOD_AT)
    expect(b.runs).toHaveLength(2)
    expect(saved.entries.find((e: { file: string }) => e.file === 'a.test.ts').runs).toHaveLength(1)
    // b's last peak (70 MB) was above 1 MB: tagged from its history, which was read despite the bad entries.
    expect(result.report!.files.find(f => f.file === 'b.test.ts')!.tagSource).toMatch(/^history: 70\.0 MB on 2026-11-20/)
  })

  test('`plan` and `tag` without --write read it and never rename or rewrite it', async () => {
    const root = copyFixture('untrusted')
    const path = join(root, '.vitest-memory/history.json')
    mkdirSync(dirname(path), { recursive: true })
    const text = history()
    writeFileSync(path, text)
    const mtime = statSync(path).mtimeMs
    const plan = await run('cli', root, ['plan', '--shards', '2'], { report: false })
    expect(plan.code, plan.output).toBe(0)
    expect(plan.stderr.trim()).toMatch(
      /^vitest-memory: \.vitest-memory\/history\.json: entries\[0\]\.runs\[0\]\.at must be a string \(ISO date\), got number 1795000000000 — 2 entries dropped/,
    )
    const tag = await run('cli', root, ['tag', '--above', '1MB'], { report: false })
    expect(tag.code, tag.output).toBe(0)
    expect(tag.stdout).toMatch(/70\.0 MB {2}b\.test\.ts {2}\(2026-11-20\) {2}would tag/)
    expect(tag.stderr.trim().split('\n')).toHaveLength(1)
    expect(readFileSync(path, 'utf8')).toBe(text)
    expect(statSync(path).mtimeMs).toBe(mtime)
    for (const unusable of ['{"schemaVersion":1,"entries":[', '{"schemaVersion":2,"entries":{}}']) {
      writeFileSync(path, unusable)
      const planned = await run('cli', root, ['plan', '--shards', '2'], { report: false })
      expect(planned.code, planned.output).toBe(0)
      expect(planned.stderr.trim().split('\n')).toHaveLength(1)
      const tagged = await run('cli', root, ['tag', '--above', '1MB'], { report: false })
      expectOneLine(tagged, '.vitest-memory/history.json')
      expect(readFileSync(path, 'utf8')).toBe(unusable)
    }
    expect(readdirSync(dirname(path))).toEqual(['history.json'])
  })

  test('a history from a newer vitest-memory says so, and a run leaves it untouched', async () => {
    const root = copyFixture('untrusted')
    const path = join(root, '.vitest-memory/history.json')
    mkdirSync(dirname(path), { recursive: true })
    const text = JSON.stringify({ schemaVersion: 2, files: {} })
    writeFileSync(path, text)
    const result = await run('cli', root, ['run'])
    expect(result.code, result.output).toBe(0)
    expect(result.output).toContain(
      'vitest-memory: .vitest-memory/history.json was written by a newer vitest-memory (history schema 2; this version reads 1): it is left as it is and not updated.',
    )
    expect(result.output).not.toContain('not valid')
    expect(readFileSync(path, 'utf8')).toBe(text)
    expect(readdirSync(dirname(path)).filter(f => f.startsWith('history'))).toEqual(['history.json'])
    const tag = await run('cli', root, ['tag', '--above', '1MB'], { report: false })
    expectOneLine(tag, 'written by a newer vitest-memory')
  })
})

describe('`tag --write` with a hostile history', () => {
  test('edits only test files Vitest collects inside the project root: no absolute path, no ../, no link out, no helper', async () => {
    const root = copyFixture('untrusted')
    const outside = mkdtempSync(join(tmpdir(), 'vm-elsewhere-'))
    const victim = join(outside, 'victim.test.ts')
    const sibling = join(root, '..', `${root.split('/').pop()}-sibling.test.ts`)
    const source = "import { test } from 'vitest'\ntest('v', () => {})\n"
    writeFileSync(victim, source)
    writeFileSync(sibling, source)
    symlinkSync(victim, join(root, 'link.test.ts'))
    mkdirSync(join(root, 'node_modules/pkg'), { recursive: true })
    writeFileSync(join(root, 'node_modules/pkg/dep.test.ts'), source)
    const files = [
      'a.test.ts',
      victim,
      `../${sibling.split('/').pop()}`,
      'link.test.ts',
      'helper.ts',
      'node_modules/pkg/dep.test.ts',
      'b.test.ts/../../x.test.ts',
    ]
    mkdirSync(join(root, '.vitest-memory'))
    writeFileSync(
      join(root, '.vitest-memory/history.json'),
      JSON.stringify({ schemaVersion: 1, entries: files.map(file => ({ project: '', file, runs: [RUN(GOOD_AT)] })) }),
    )
    const before = {
      outside: snapshot(outside),
      sibling: readFileSync(sibling, 'utf8'),
      helper: readFileSync(join(root, 'helper.ts'), 'utf8'),
      dep: readFileSync(join(root, 'node_modules/pkg/dep.test.ts'), 'utf8'),
    }

    const result = await run('cli', root, ['tag', '--above', '1GB', '--write'], { report: false })
    expect(result.code, result.output).toBe(0)
    expect(result.stdout).toMatch(/a\.test\.ts {2}\(2026-11-20\) {2}tagged$/m)
    expect(result.stdout).toContain(`${victim}  (2026-11-20)  skipped: outside the project root`)
    expect(result.stdout).toMatch(/\.\.\/.*-sibling\.test\.ts {2}\(2026-11-20\) {2}skipped: outside the project root/)
    expect(result.stdout).toMatch(/link\.test\.ts {2}\(2026-11-20\) {2}skipped: a link that leads outside the project root/)
    expect(result.stdout).toMatch(/helper\.ts {2}\(2026-11-20\) {2}skipped: not a test file Vitest collects here/)
    expect(result.stdout).toMatch(/node_modules\/pkg\/dep\.test\.ts {2}\(2026-11-20\) {2}skipped: not a test file Vitest collects here/)
    expect(readFileSync(join(root, 'a.test.ts'), 'utf8').startsWith(`${TAG_LINE}\n`)).toBe(true)
    expect(snapshot(outside)).toEqual(before.outside)
    expect(readFileSync(sibling, 'utf8')).toBe(before.sibling)
    expect(readFileSync(join(root, 'helper.ts'), 'utf8')).toBe(before.helper)
    expect(readFileSync(join(root, 'node_modules/pkg/dep.test.ts'), 'utf8')).toBe(before.dep)
  })
})

test('`tag` in a project whose Vitest config does not load: one line, no stack', async () => {
  const root = copyFixture('untrusted')
  writeFileSync(join(root, 'vitest.config.ts'), "throw new Error('broken config')\n")
  mkdirSync(join(root, '.vitest-memory'))
  writeFileSync(
    join(root, '.vitest-memory/history.json'),
    JSON.stringify({ schemaVersion: 1, entries: [{ project: '', file: 'a.test.ts', runs: [RUN(GOOD_AT)] }] }),
  )
  const result = await run('cli', root, ['tag', '--above', '1GB', '--write'], { report: false })
  expectOneLine(result, 'tag could not list the test files Vitest collects here (broken config)')
  expect(readFileSync(join(root, 'a.test.ts'), 'utf8')).not.toContain(TAG_LINE)
})

describe('reports with a bad shape', () => {
  let report: MemoryReport
  let dir: string
  let good: string

  beforeAll(async () => {
    const result = await run('cli', copyFixture('untrusted'), ['run', '--no-memory-history'])
    expect(result.code, result.output).toBe(0)
    report = result.report!
    dir = mkdtempSync(join(tmpdir(), 'vm-bad-reports-'))
    good = join(dir, 'good.json')
    writeFileSync(good, JSON.stringify(report))
  })

  const cases: [string, (r: any) => unknown, RegExp][] = [
    ['run: null', r => ({ ...r, run: null }), /run must be an object, got null/],
    ['files: [null]', r => ({ ...r, files: [null] }), /files\[0\] must be an object, got null/],
    ['files: [{}]', r => ({ ...r, files: [{}] }), /files\[0\]\.file is missing/],
    [
      'a peak as a string',
      r => ({ ...r, files: [{ ...r.files[0], peakRssBytes: '1GB' }] }),
      /files\[0\]\.peakRssBytes must be a number or null, got string "1GB"/,
    ],
    ['a newer schemaVersion', r => ({ ...r, schemaVersion: 2 }), /written by a newer vitest-memory \(report schema 2; this version reads 1\)/],
    ['cut short', r => JSON.stringify(r).slice(0, 100), /not valid JSON/],
  ]

  // (The property test generates many more; these go through the real CLI.)
  test.each(cases)('%s: `html` and `compare` exit 2 with one line naming the file', async (name, corrupt, message) => {
    const path = join(dir, `${name.replace(/\W+/g, '-')}.json`)
    const bad = corrupt(report)
    writeFileSync(path, typeof bad === 'string' ? bad : JSON.stringify(bad))
    const html = await run('cli', 'untrusted', ['html', path], { report: false })
    expectOneLine(html, path)
    expect(html.stderr).toMatch(message)
    expect(readdirSync(dir).filter(f => f.endsWith('.html'))).toEqual([])
    // As the base or as the head, alternately: a crash here would exit 1, "a regression".
    const args = cases.findIndex(c => c[0] === name) % 2 ? [good, path] : [path, good]
    const compare = await run('cli', 'untrusted', ['compare', ...args], { report: false })
    expectOneLine(compare, path)
    expect(compare.stderr).toMatch(message)
  })
})

describe('journals and shard plans', () => {
  const dir = mkdtempSync(join(tmpdir(), 'vm-bad-journal-'))
  const RUN_LINE = { t: 'run', at: 1000, pid: 9, argv: [], cwd: '/', limitBytes: null, limits: [], totalMemoryBytes: 8e9, cgroupLimitBytes: null, cpus: 2 }

  test.each([
    ['an `at` beyond any date', { ...RUN_LINE, at: 1e20 }, 'line 1: at must be <= 8640000000000000, got number 100000000000000000000'],
    [
      'a pid as a string',
      { t: 'file-start', at: 5, file: 'a.test.ts', project: '', pid: '12', limitBytes: null },
      'line 1: pid must be a whole number, got string "12"',
    ],
  ])('`why` on a journal with %s: one line, exit 2', async (name, entry, message) => {
    const path = join(dir, `${name.replace(/\W+/g, '-')}.jsonl`)
    writeFileSync(path, `${JSON.stringify(entry)}\n`)
    const result = await run('cli', 'untrusted', ['why', path], { report: false })
    expectOneLine(result, path)
    expect(result.stderr).toContain(message)
  })

  test.each([
    ['shards: [null]', { schemaVersion: 1, shard: [1], shards: [null], unmeasured: [] }, 'shards[0] must be an object, got null'],
    [
      'files as a string',
      {
        schemaVersion: 1,
        shard: [1],
        shards: [{ index: 1, files: 'a.test.ts', estimatedDurationMs: 1, heaviestPeakBytes: 1, sumPeakBytes: 1 }],
        unmeasured: [],
      },
      'shards[0].files must be an array, got string "a.test.ts"',
    ],
  ])('`run --shard-plan` with %s: one line, exit 2', async (name, plan, message) => {
    const path = join(dir, `${name.replace(/\W+/g, '-')}.plan.json`)
    writeFileSync(path, JSON.stringify(plan))
    const result = await run('cli', 'untrusted', ['run', '--shard-plan', path, '--shard', '1'], { report: false })
    expectOneLine(result, path)
    expect(result.stderr).toContain(message)
  })
})

describe('two runs at once in one project', () => {
  test("both runs' history is kept and neither report is lost: the second writes report.<pid>.json and says so", async () => {
    const root = copyFixture('untrusted')
    const env = { UNTRUSTED_SLEEP_MS: '2500' }
    const first = run('cli', root, ['run'], { report: false, env })
    // The second starts while the first is inside its run (it sleeps 2.5 s in b.test.ts).
    await new Promise(done => setTimeout(done, 700))
    const second = await run('cli', root, ['run'], { report: false, env })
    const firstResult = await first
    for (const result of [firstResult, second]) expect(result.code, result.output).toBe(0)
    const dir = join(root, '.vitest-memory')
    const reports = readdirSync(dir)
      .filter(f => /^report(\.\d+)?\.json$/.test(f))
      .sort()
    expect(reports, readdirSync(dir).join(', ')).toHaveLength(2)
    expect(reports).toContain('report.json')
    const other = reports.find(f => f !== 'report.json')!
    const notes = [firstResult, second].flatMap(r => r.output.split('\n').filter(l => l.includes('another run (pid') && l.includes('report')))
    expect(notes).toHaveLength(1)
    expect(notes[0]).toMatch(
      new RegExp(
        `^vitest-memory: another run \\(pid \\d+\\) was writing \\.vitest-memory/report\\.json when this one started; this run's report is \\.vitest-memory/${other.replace(/\./g, '\\.')}\\.$`,
      ),
    )
    for (const name of reports) {
      const report = JSON.parse(readFileSync(join(dir, name), 'utf8')) as MemoryReport
      expect(report.files.map(f => f.file).sort()).toEqual(['a.test.ts', 'b.test.ts'])
    }
    expect(readdirSync(dir).filter(f => f.endsWith('.lock') || f.endsWith('.tmp'))).toEqual([])
    const history = JSON.parse(readFileSync(join(dir, 'history.json'), 'utf8'))
    for (const entry of history.entries) expect(entry.runs, entry.file).toHaveLength(2)
  })

  test('a lock left by a run that died does not divert the report', async () => {
    const root = copyFixture('untrusted')
    mkdirSync(join(root, '.vitest-memory'))
    // A pid no process has: the last one the kernel could give, plus one.
    writeFileSync(join(root, '.vitest-memory/report.json.lock'), `${Number(readFileSync('/proc/sys/kernel/pid_max', 'utf8')) + 1}\n`)
    const result = await run('cli', root, ['run'], { report: false })
    expect(result.code, result.output).toBe(0)
    expect(result.output).not.toContain('another run')
    expect(readdirSync(join(root, '.vitest-memory')).filter(f => f.startsWith('report'))).toEqual(['report.json'])
  })
})
