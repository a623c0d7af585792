// Generated bad input (fast-check): corrupted, truncated, mistyped and hostile history, report,
// journal and shard-plan files. Every reader either accepts the file (and everything downstream
// of it works) or refuses it with one line naming the file — never a stack, never another error;
// a partly bad history keeps its good entries; `tag --write` never writes outside the project.
// The bulk runs in-process (bounded numRuns); a handful of samples go through the real CLI.
import { spawnSync } from 'node:child_process'
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, statSync, symlinkSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import fc from 'fast-check'
import { describe, expect, test } from 'vitest'
import { readShardPlan } from '../src/cli/shard-plan-args.js'
import { tagCommand } from '../src/cli/tag.js'
import { analyzeJournal, JournalError, renderWhy } from '../src/cli/why.js'
import { UsageError } from '../src/options.js'
import { compareReports } from '../src/policy/regression.js'
import { planShards } from '../src/policy/shard-plan.js'
import { checkHistory, historyIndex, lastPeak, mergeRuns, type History } from '../src/record/history.js'
import { readReport } from '../src/record/read-report.js'
import type { MemoryReport } from '../src/record/report.js'
import { renderComparison } from '../src/report/compare-table.js'
import { renderHtml } from '../src/report/html.js'
import { renderMarkdown } from '../src/report/markdown.js'
import { renderTable } from '../src/report/table.js'
import { cleanEnv, CLI, TARGET } from './helpers.js'
import { schemaErrors } from './schema-check.js'

// Deterministic by default; FC_SEED / FC_RUNS explore further (4000 runs each pass locally).
const RUNS = Number(process.env.FC_RUNS ?? 150)
fc.configureGlobal({ seed: Number(process.env.FC_SEED ?? 20261120) })
const AT = '2026-11-20T08:00:00.000Z'
const MiB = 1024 * 1024

// ---- Valid documents, as the writers produce them (checked against the strict schemas below) ----

const REPORT: MemoryReport = {
  $schema: 'vitest-memory/schema/report.json',
  schemaVersion: 1,
  run: {
    vitestVersion: '4.1.12',
    nodeVersion: 'v20.20.2',
    platform: 'linux',
    totalMemoryBytes: 8e9,
    cgroupLimitBytes: null,
    cpus: 2,
    startedAt: AT,
    durationMs: 1200,
  },
  budgetBytes: 200 * MiB,
  budgetMode: 'fail',
  files: [
    {
      file: 'test/heavy.test.ts',
      project: '',
      state: 'pass',
      peakRssBytes: 300 * MiB,
      treePeakRssBytes: 310 * MiB,
      durationMs: 400,
      budgetBytes: 200 * MiB,
      budgetSource: 'global',
      overBudget: true,
      method: 'procfs',
      tags: ['memory_intensive'],
      tagSource: 'comment',
      skipReason: null,
      setupPeakRssBytes: 60 * MiB,
      testPeakMethod: 'clear_refs',
      tests: [
        {
          name: 'big',
          fullName: 'suite > big',
          state: 'pass',
          peakRssBytes: 300 * MiB,
          startRssBytes: 60 * MiB,
          addedRssBytes: 240 * MiB,
          heapDeltaBytes: -5,
          heapAfterGcBytes: null,
          durationMs: 12.5,
          overlapping: false,
          budgetBytes: null,
          overBudget: false,
        },
      ],
      leak: { likely: false, retainedPerTestBytes: 10, retainedTotalBytes: 20, tests: 3, growingSteps: 1 },
      profile: {
        path: '.vitest-memory/profiles/heavy.heapprofile',
        pass: 'main',
        sites: [{ functionName: 'alloc', file: 'test/heavy.test.ts', line: 3, bytes: 1e6, share: 0.5 }],
      },
      startedAtMs: 0,
      workerSlot: 0,
      limitBytes: null,
      limitSource: null,
    },
    {
      file: 'test/crash.test.ts',
      project: 'unit',
      state: 'crash',
      peakRssBytes: 90 * MiB,
      treePeakRssBytes: 95 * MiB,
      durationMs: 300,
      budgetBytes: null,
      budgetSource: null,
      overBudget: false,
      method: 'procfs',
      tags: [],
      tagSource: null,
      skipReason: null,
      setupPeakRssBytes: null,
      testPeakMethod: null,
      tests: [],
      leak: null,
      profile: null,
      startedAtMs: 15,
      workerSlot: 1,
      shard: '2/3',
      limitBytes: 1e9,
      limitSource: 'global',
      signal: 'SIGKILL',
      exitCode: null,
      crash: { cause: 'sigkill', explanation: 'killed', fix: 'look', heaviest: '12 node' },
    },
  ],
  timeline: [
    { t: 0, rssBytes: 60 * MiB },
    { t: 100, rssBytes: 400 * MiB },
  ],
}

const historyRun = (peak: number, at = AT) => ({ at, peakRssBytes: peak, treePeakRssBytes: peak, durationMs: 10, state: 'pass' })
const HISTORY: History = {
  $schema: 'vitest-memory/schema/history.json',
  schemaVersion: 1,
  entries: Array.from({ length: 6 }, (_, i) => ({
    project: i % 2 ? 'unit' : '',
    file: `test/f${i}.test.ts`,
    runs: [historyRun(100e6 + i), historyRun(200e6 + i, '2026-11-21T08:00:00.000Z')],
  })),
}

const JOURNAL = [
  {
    t: 'run',
    $schema: 'vitest-memory/schema/journal-entry.json',
    at: 1000,
    pid: 9,
    argv: ['node', 'vitest'],
    cwd: '/p',
    limitBytes: null,
    limits: [{ glob: 'e2e/**', bytes: 1e9 }],
    totalMemoryBytes: 8e9,
    cgroupLimitBytes: null,
    cpus: 2,
  },
  { t: 'file-start', at: 1100, file: 'a.test.ts', project: '', pid: 10, limitBytes: null },
  { t: 'sample', at: 1600, file: 'a.test.ts', pid: 10, rssBytes: 2e8, treeRssBytes: 2.1e8 },
  {
    t: 'file-end',
    at: 1700,
    file: 'a.test.ts',
    pid: 10,
    state: 'crash',
    peakRssBytes: 2e8,
    treePeakRssBytes: 2.1e8,
    durationMs: 600,
    signal: 'SIGKILL',
    exitCode: null,
    cause: 'sigkill',
  },
  { t: 'file-start', at: 1800, file: 'b.test.ts', project: '', pid: 11, limitBytes: 5e8 },
  { t: 'sample', at: 2300, file: 'b.test.ts', pid: 11, rssBytes: 3e8, treeRssBytes: 3e8 },
  { t: 'aborted', at: 2400, signal: 'SIGTERM', running: [{ file: 'b.test.ts', pid: 11, treeRssBytes: 3.2e8, runningMs: 600 }] },
]

const PLAN = planShards(
  [
    { file: 'a.test.ts', durationMs: 10, peakBytes: 1e8 },
    { file: 'b.test.ts', durationMs: null, peakBytes: null },
    { file: 'c.test.ts', durationMs: 30, peakBytes: 3e8 },
  ],
  2,
)

// ---- Corruption ----

/** Values a hostile or broken writer could leave anywhere. */
const hostileValue = fc.oneof(
  fc.constantFrom(
    null,
    true,
    false,
    0,
    -1,
    1e20,
    -1e20,
    1.5,
    '',
    'NaN',
    '1GB',
    '../../etc/passwd',
    '/etc/hostname',
    'x\n\u001b[31mred',
    '\u0000',
    '<script>alert(1)</script>',
    [],
    {},
    [null],
    { at: 5 },
  ),
  fc.jsonValue({ maxDepth: 2 }),
)

type Json = unknown
type Path = (string | number)[]

/** Every path to a value inside a JSON document. */
function paths(value: Json, at: Path = []): Path[] {
  const out: Path[] = [at]
  if (Array.isArray(value))
    value.forEach((v, i) => {
      out.push(...paths(v, [...at, i]))
    })
  else if (value && typeof value === 'object') for (const [k, v] of Object.entries(value)) out.push(...paths(v, [...at, k]))
  return out
}

function setAt(doc: Json, path: Path, value: Json | typeof REMOVE): Json {
  if (path.length === 0) return value === REMOVE ? undefined : value
  const copy = structuredClone(doc) as Record<string | number, Json>
  let node = copy
  for (const key of path.slice(0, -1)) node = node[key] as Record<string | number, Json>
  const last = path.at(-1)!
  if (value === REMOVE) {
    if (Array.isArray(node)) node.splice(last as number, 1)
    else delete node[last]
  } else {
    node[last] = value
  }
  return copy
}
const REMOVE = Symbol('remove')

/** A document with one to three values replaced or removed, as text; sometimes truncated or garbled. */
function corrupted(doc: Json): fc.Arbitrary<string> {
  const all = paths(doc)
  const edit = fc.tuple(fc.integer({ min: 0, max: all.length - 1 }), fc.oneof(hostileValue, fc.constant(REMOVE)))
  const edited = fc.array(edit, { minLength: 1, maxLength: 3 }).map(edits => {
    let out = doc
    for (const [i, value] of edits) {
      // Paths are taken from the original: one that an earlier edit removed is skipped.
      try {
        out = setAt(out, all[i], value as Json)
      } catch {
        // gone
      }
    }
    return JSON.stringify(out) ?? ''
  })
  return fc.oneof(
    { weight: 6, arbitrary: edited },
    { weight: 1, arbitrary: fc.integer({ min: 0, max: JSON.stringify(doc).length - 1 }).map(n => JSON.stringify(doc).slice(0, n)) },
    { weight: 1, arbitrary: fc.jsonValue().map(v => JSON.stringify(v) ?? '') },
    { weight: 1, arbitrary: fc.string({ unit: 'binary', maxLength: 200 }) },
  )
}

// ---- The contract ----

function expectOneLineNaming(error: unknown, name: string): void {
  if (!(error instanceof UsageError || error instanceof JournalError)) throw error
  expect(error.message.split('\n')).toHaveLength(1)
  if (error instanceof UsageError) expect(error.message).toContain(name)
}

const dir = mkdtempSync(join(tmpdir(), 'vm-property-'))

describe('generated bad input, in-process readers', () => {
  test('the valid documents fit the strict schemas (so corruption starts from real shapes)', () => {
    expect(schemaErrors('report', REPORT)).toEqual([])
    expect(schemaErrors('history', HISTORY)).toEqual([])
    for (const line of JOURNAL) expect(schemaErrors('journal-entry', line)).toEqual([])
    expect(schemaErrors('shard-plan', PLAN)).toEqual([])
  })

  test('report.json: accepted and rendered everywhere, or one line naming the file', () => {
    const path = join(dir, 'report.json')
    fc.assert(
      fc.property(corrupted(REPORT), text => {
        writeFileSync(path, text)
        let report: MemoryReport
        try {
          report = readReport(path)
        } catch (error) {
          expectOneLineNaming(error, path)
          return
        }
        // Whatever passed the schema renders: HTML, table, Markdown, and a comparison both ways.
        renderHtml(report)
        renderTable(report, 10)
        renderMarkdown(report, 10)
        renderComparison(compareReports(REPORT, report, { failOnIncrease: 0.2, minDeltaBytes: 20e6 }))
        renderComparison(compareReports(report, REPORT, { failOnIncrease: 0.2, minDeltaBytes: 20e6 }))
      }),
      { numRuns: RUNS },
    )
  })

  test('history.json: never throws; bad entries are dropped in one line, untouched entries are all kept, and the rest works', () => {
    const entryIndex = fc.integer({ min: 0, max: HISTORY.entries.length - 1 })
    const damage = fc.tuple(
      fc.uniqueArray(entryIndex, { minLength: 1, maxLength: 3 }),
      fc.array(hostileValue, { minLength: 3, maxLength: 3 }),
      fc.array(fc.nat(), { minLength: 3, maxLength: 3 }),
    )
    fc.assert(
      fc.property(damage, ([damaged, values, picks]) => {
        // Damage only inside the chosen entries: each gets one value replaced somewhere within it.
        let doc: Json = HISTORY
        damaged.forEach((index, k) => {
          const inside = paths(HISTORY.entries[index]).filter(p => p.length > 0)
          doc = setAt(doc, ['entries', index, ...inside[picks[k] % inside.length]], values[k])
        })
        const { history, warning } = checkHistory(JSON.stringify(doc), 'history.json')
        expect(history).not.toBeNull()
        for (const [i, entry] of HISTORY.entries.entries()) {
          if (!damaged.includes(i)) expect(history!.entries).toContainEqual(entry)
        }
        for (const entry of history!.entries) expect(schemaErrors('history', { schemaVersion: 1, entries: [entry] })).toEqual([])
        if (warning) {
          expect(warning.split('\n')).toHaveLength(1)
          expect(warning).toMatch(/^history\.json: .* — (entry dropped|\d+ entries dropped, the first shown); \d+ files? kept$/)
        }
        const merged = mergeRuns(history!, [{ project: '', file: 'test/f0.test.ts', run: historyRun(1) }], () => true)
        planShards(
          merged.entries.map(e => ({ file: e.file, durationMs: e.runs.at(-1)?.durationMs ?? null, peakBytes: lastPeak(e) })),
          3,
        )
        historyIndex(merged)
      }),
      { numRuns: RUNS },
    )

    fc.assert(
      fc.property(corrupted(HISTORY), text => {
        const { history, warning, unusable } = checkHistory(text, 'history.json')
        if (warning) expect(warning.split('\n')).toHaveLength(1)
        if (!history) expect(unusable).toBeDefined()
        else mergeRuns(history, [], () => true)
      }),
      { numRuns: RUNS },
    )
  })

  test('duplicate history entries: merged the same whatever their order, so every reader sees one entry per file', () => {
    // Repeats of existing entries, each with runs of its own (some equal to the original's).
    const repeat = fc.record({
      of: fc.integer({ min: 0, max: HISTORY.entries.length - 1 }),
      peaks: fc.array(fc.integer({ min: 1, max: 9 }), { minLength: 1, maxLength: 4 }),
      day: fc.integer({ min: 10, max: 28 }),
    })
    fc.assert(
      fc.property(fc.array(repeat, { minLength: 1, maxLength: 5 }), fc.nat(), (repeats, seed) => {
        const extra = repeats.map(({ of, peaks, day }) => ({
          ...HISTORY.entries[of],
          runs: peaks.map((p, k) => historyRun(p * 100e6, `2026-11-${day}T0${k}:00:00.000Z`)),
        }))
        const all = [...HISTORY.entries, ...extra]
        // The same entries in another order.
        const shuffled = all
          .map((entry, i) => ({ entry, rank: (i * 7919 + seed) % 1009 }))
          .sort((a, b) => a.rank - b.rank)
          .map(({ entry }) => entry)
        const views = [all, shuffled].map(entries => checkHistory(JSON.stringify({ schemaVersion: 1, entries }), 'history.json'))
        for (const { history, warning } of views) {
          expect(history!.entries).toHaveLength(HISTORY.entries.length)
          expect(warning!.split('\n')).toHaveLength(1)
          expect(warning).toMatch(
            /^history\.json: entries\[\d+\] repeats entries\[\d+\] \((\[unit\] )?test\/f\d\.test\.ts\) — (merged into one entry|\d+ repeats merged, the first shown); 6 files kept$/,
          )
        }
        // What the fast lane, tag and plan read (historyIndex + lastPeak) agrees.
        const peaks = views.map(({ history }) => new Map([...historyIndex(history!)].map(([key, entry]) => [key, [lastPeak(entry), entry.runs]])))
        expect(peaks[1]).toEqual(peaks[0])
      }),
      { numRuns: RUNS },
    )
  })

  test('a report repeating a file is refused in one line naming it (compare could read growth as shrinkage)', () => {
    const path = join(dir, 'repeat-report.json')
    fc.assert(
      fc.property(fc.integer({ min: 0, max: REPORT.files.length - 1 }), fc.integer({ min: 1, max: 4000 }), fc.boolean(), (of, mb, first) => {
        const copy = { ...REPORT.files[of], treePeakRssBytes: mb * MiB }
        writeFileSync(path, JSON.stringify({ ...REPORT, files: first ? [copy, ...REPORT.files] : [...REPORT.files, copy] }))
        let error: unknown
        try {
          readReport(path)
        } catch (caught) {
          error = caught
        }
        expectOneLineNaming(error, path)
        expect((error as Error).message).toContain(`repeats files[`)
        expect((error as Error).message).toContain(REPORT.files[of].file)
      }),
      { numRuns: 50 },
    )
  })

  test('journal: the story is told, or one line says which line is bad', () => {
    const text = fc.oneof(
      fc.tuple(fc.integer({ min: 0, max: JOURNAL.length - 1 }), corrupted(JOURNAL[0])).map(([i, line]) => {
        const lines = JOURNAL.map(e => JSON.stringify(e))
        lines[i] = line
        return `${lines.join('\n')}\n`
      }),
      corrupted(JOURNAL).map(t => `${t}\n`),
      fc.integer({ min: 0, max: 900 }).map(n =>
        JOURNAL.map(e => `${JSON.stringify(e)}\n`)
          .join('')
          .slice(0, n),
      ),
    )
    fc.assert(
      fc.property(text, journal => {
        try {
          renderWhy(analyzeJournal(journal))
        } catch (error) {
          expectOneLineNaming(error, '')
        }
      }),
      { numRuns: RUNS },
    )
  })

  test('shard plan: accepted (its shards usable) or one line naming the file', () => {
    const path = join(dir, 'plan.json')
    fc.assert(
      fc.property(corrupted(PLAN), text => {
        writeFileSync(path, text)
        try {
          const plan = readShardPlan(path)
          for (const shard of plan.shards) shard.files.map(f => f.length)
        } catch (error) {
          expectOneLineNaming(error, path)
        }
      }),
      { numRuns: RUNS },
    )
  })
})

/** A scratch project with two test files, a helper, a file outside it and a link leading out. */
function project(): { root: string; outside: string } {
  const root = mkdtempSync(join(tmpdir(), 'vm-property-project-'))
  const outside = mkdtempSync(join(tmpdir(), 'vm-property-outside-'))
  const source = "import { test } from 'vitest'\ntest('t', () => {})\n"
  for (const file of ['a.test.ts', 'b.test.ts', 'helper.ts']) writeFileSync(join(root, file), source)
  writeFileSync(join(outside, 'victim.test.ts'), source)
  symlinkSync(join(outside, 'victim.test.ts'), join(root, 'link.test.ts'))
  mkdirSync(join(root, '.vitest-memory'))
  return { root, outside }
}

function snapshot(path: string): Record<string, string> {
  const out: Record<string, string> = {}
  for (const name of readdirSync(path, { recursive: true, encoding: 'utf8' })) {
    const file = join(path, name)
    if (statSync(file).isFile()) out[name] = readFileSync(file, 'utf8')
  }
  return out
}

describe('generated hostile histories for `tag --write`', () => {
  test("only the project's own test files are ever written", async () => {
    const { root, outside } = project()
    const victim = join(outside, 'victim.test.ts')
    const file = fc.constantFrom(
      'a.test.ts',
      'b.test.ts',
      'helper.ts',
      'link.test.ts',
      victim,
      `../${outside.split('/').pop()}/victim.test.ts`,
      './a.test.ts',
      'a.test.ts/../../x',
      '.vitest-memory/history.json',
      '/etc/hostname',
      '',
    )
    const entry = fc.record({ project: fc.constantFrom('', 'unit'), file, runs: fc.constant([historyRun(2e9)]) })
    const before = snapshot(outside)
    await fc.assert(
      fc.asyncProperty(fc.array(entry, { maxLength: 6 }), async entries => {
        const text = JSON.stringify({ schemaVersion: 1, entries })
        writeFileSync(join(root, '.vitest-memory/history.json'), text)
        const helper = readFileSync(join(root, 'helper.ts'), 'utf8')
        try {
          await tagCommand(['--above', '1GB', '--write'], root, {}, () => {})
        } catch (error) {
          expectOneLineNaming(error, '')
        }
        expect(snapshot(outside)).toEqual(before)
        expect(readFileSync(join(root, 'helper.ts'), 'utf8')).toBe(helper)
        expect(readFileSync(join(root, '.vitest-memory/history.json'), 'utf8')).toBe(text)
      }),
      { numRuns: 12 },
    )
  })
})

describe('generated bad input through the real CLI (a few samples)', () => {
  const cli = (args: string[], cwd: string) => {
    const result = spawnSync(TARGET.node, [CLI, ...args], { cwd, env: cleanEnv(), encoding: 'utf8' })
    return { code: result.status, stderr: result.stderr, output: result.stdout + result.stderr }
  }
  const expectOneLine = (result: ReturnType<typeof cli>, name: string) => {
    expect(result.code, result.output).toBe(2)
    expect(result.stderr.trim().split('\n'), result.stderr).toHaveLength(1)
    expect(result.stderr).toContain(name)
    expect(result.output).not.toMatch(/\n\s+at .*:\d+:\d+/)
  }
  // Samples the schema rejects, so each command must refuse them.
  const rejected = (name: 'report' | 'shard-plan' | 'journal-entry', doc: Json) =>
    fc
      .sample(corrupted(doc), { numRuns: 60, seed: 12 })
      .filter(text => {
        try {
          return schemaErrors(name, JSON.parse(text)).length > 0
        } catch {
          return true
        }
      })
      .slice(0, 1)

  test('html, compare, why and run --shard-plan refuse bad files with one line naming them', () => {
    const { root } = project()
    rejected('report', REPORT).forEach((text, i) => {
      const path = join(root, `bad-${i}.json`)
      writeFileSync(path, text)
      expectOneLine(cli(['html', path], root), path)
      writeFileSync(join(root, 'good.json'), JSON.stringify(REPORT))
      expectOneLine(cli(['compare', join(root, 'good.json'), path], root), path)
    })
    rejected('journal-entry', JOURNAL[0]).forEach((line, i) => {
      const path = join(root, `bad-${i}.jsonl`)
      writeFileSync(path, `${line}\n`)
      expectOneLine(cli(['why', path], root), `bad-${i}.jsonl`)
    })
    rejected('shard-plan', PLAN).forEach((text, i) => {
      const path = join(root, `bad-${i}.plan.json`)
      writeFileSync(path, text)
      expectOneLine(cli(['run', '--shard-plan', path, '--shard', '1'], root), path)
    })
  })
})
