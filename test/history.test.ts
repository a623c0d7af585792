// History: merge, keep the last few runs, prune deleted files, set a corrupt file aside,
// and never lose entries when runs write at the same time.
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { describe, expect, test } from 'vitest'
import { MAX_HISTORY_ENTRIES } from '../src/record/history-bound.js'
import { checkHistory, emptyHistory, lastPeak, mergeRuns, peekHistory, readHistory, recordHistory, RUNS_KEPT, type MeasuredRun } from '../src/record/history.js'

const run = (file: string, peak: number, at: string, project = ''): MeasuredRun => ({
  project,
  file,
  run: { at, peakRssBytes: peak, treePeakRssBytes: peak, durationMs: 10, state: 'pass' },
})

function tempRoot(files: string[]): string {
  const root = mkdtempSync(join(tmpdir(), 'vm-history-'))
  for (const file of files) {
    mkdirSync(join(root, file, '..'), { recursive: true })
    writeFileSync(join(root, file), '')
  }
  return root
}

describe('mergeRuns', () => {
  test('appends runs per project and file, oldest first, keeping the last few', () => {
    let history = emptyHistory()
    for (let i = 0; i < RUNS_KEPT + 2; i++) history = mergeRuns(history, [run('a.test.ts', 100 + i, `2026-11-2${i}T00:00:00Z`)], () => true)
    history = mergeRuns(history, [run('a.test.ts', 5, '2026-11-27T00:00:00Z', 'other')], () => true)
    expect(history.entries).toHaveLength(2)
    const a = history.entries.find(e => e.project === '')!
    expect(a.runs.map(r => r.peakRssBytes)).toEqual([102, 103, 104, 105, 106])
    expect(lastPeak(a)).toBe(106)
  })

  test('prunes files that no longer exist', () => {
    const history = mergeRuns(emptyHistory(), [run('kept.test.ts', 1, 'x'), run('gone.test.ts', 2, 'x')], file => file === 'kept.test.ts')
    expect(history.entries.map(e => e.file)).toEqual(['kept.test.ts'])
  })

  test(`keeps at most ${MAX_HISTORY_ENTRIES} entries: those run longest ago go, this run's stay`, () => {
    const old = {
      ...emptyHistory(),
      entries: Array.from({ length: MAX_HISTORY_ENTRIES }, (_, i) => ({
        project: '',
        file: `f${i}.test.ts`,
        runs: [
          {
            at: `2026-01-01T00:00:${String(i % 60).padStart(2, '0')}.${String(i).padStart(6, '0')}Z`,
            peakRssBytes: 1,
            treePeakRssBytes: 1,
            durationMs: 1,
            state: 'pass',
          },
        ],
      })),
    }
    old.entries[7].runs[0].at = '2025-06-01T00:00:00Z'
    const merged = mergeRuns(old, [run('new.test.ts', 5, '2026-12-07T00:00:00Z')], () => true)
    expect(merged.entries).toHaveLength(MAX_HISTORY_ENTRIES)
    expect(merged.entries.some(e => e.file === 'new.test.ts')).toBe(true)
    expect(merged.entries.some(e => e.file === 'f7.test.ts')).toBe(false)
  })
})

describe('the history file', () => {
  test('a corrupt file is set aside with a one-line warning, never a crash', () => {
    const root = tempRoot([])
    const path = join(root, 'history.json')
    writeFileSync(path, '{"schemaVersion":1,"entries":[{"fi')
    const { history, warning } = readHistory(path)
    expect(history.entries).toEqual([])
    expect(warning).toMatch(/history\.json is not valid JSON \(.*\); it was moved to .*history\.json\.corrupt-\d+ and a new one started\./)
    expect(warning!.split('\n')).toHaveLength(1)
    expect(existsSync(path)).toBe(false)
    expect(readdirSync(root).some(f => f.startsWith('history.json.corrupt-'))).toBe(true)
  })

  test("concurrent writers never lose each other's entries", async () => {
    const files = Array.from({ length: 20 }, (_, i) => `test/f${i}.test.ts`)
    const root = tempRoot(files)
    const path = join(root, '.vitest-memory/history.json')
    await Promise.all(files.map((file, i) => recordHistory(path, root, [run(file, i, `2026-11-27T00:00:${String(i).padStart(2, '0')}Z`)])))
    const saved = JSON.parse(readFileSync(path, 'utf8'))
    expect(saved.entries.map((e: { file: string }) => e.file).sort()).toEqual([...files].sort())
    expect(existsSync(`${path}.lock`)).toBe(false)
  })
})

describe('every entry and field is checked (schema/history.schema.json)', () => {
  const good = (file: string, peak = 100) => ({
    project: '',
    file,
    runs: [{ at: '2026-11-20T08:00:00.000Z', peakRssBytes: peak, treePeakRssBytes: peak, durationMs: 10, state: 'pass' }],
  })
  const badHistory = () => ({
    schemaVersion: 1,
    entries: [
      good('a.test.ts'),
      { project: '', file: 'b.test.ts', runs: [{ ...good('b').runs[0], at: 1795000000000 }] },
      { project: '', file: 'c.test.ts', runs: [null] },
      { project: 7, file: 'd.test.ts', runs: [] },
      null,
      { project: '', file: 'e.test.ts', runs: [good('e').runs[0], { ...good('e').runs[0], peakRssBytes: '1GB' }] },
      good('f.test.ts'),
    ],
  })

  test('bad entries and runs are dropped and counted in one line; the others are kept', () => {
    const { history, warning, unusable } = checkHistory(JSON.stringify(badHistory()), 'history.json')
    expect(unusable).toBeUndefined()
    expect(history!.entries.map(e => e.file)).toEqual(['a.test.ts', 'e.test.ts', 'f.test.ts'])
    expect(history!.entries[1].runs).toHaveLength(1)
    expect(warning).toBe(
      'history.json: entries[1].runs[0].at must be a string (ISO date), got number 1795000000000 — 5 entries dropped, the first shown; 3 files kept',
    )
  })

  test.each([
    [
      { schemaVersion: 1, entries: [{ project: '', file: 'x', runs: [{ ...good('x').runs[0], at: 'yesterday' }] }] },
      'entries[0].runs[0].at must be an ISO date (2026-01-31T12:00:00.000Z), got string "yesterday"',
    ],
    [
      { schemaVersion: 1, entries: [{ project: '', file: 'x', runs: [{ ...good('x').runs[0], durationMs: -1 }] }] },
      'entries[0].runs[0].durationMs must be >= 0, got number -1',
    ],
    [{ schemaVersion: 1, entries: [{ project: '', file: '', runs: [] }] }, 'entries[0].file must not be empty'],
    [{ schemaVersion: 1, entries: [{ project: '', runs: [] }] }, 'entries[0].file is missing'],
    [{ schemaVersion: 1, entries: [{ project: '', file: 'x', runs: {} }] }, 'entries[0].runs must be an array, got an object'],
  ])('%j: %s', (data, problem) => {
    expect(checkHistory(JSON.stringify(data), 'h.json').warning).toBe(`h.json: ${problem} — entry dropped; 0 files kept`)
  })

  test('a file that is not a history at all is unusable, with the reason', () => {
    expect(checkHistory('[1, 2]', 'h.json')).toEqual({
      history: null,
      unusable: 'corrupt',
      warning: 'h.json is not a vitest-memory history: the document must be an object, got an array',
    })
    expect(checkHistory('{"schemaVersion":1,"entries":{}}', 'h.json').warning).toBe(
      'h.json is not a vitest-memory history: entries must be an array, got an object',
    )
    expect(checkHistory('{"schemaVersion":"1","entries":[]}', 'h.json').warning).toBe(
      'h.json is not a vitest-memory history: schemaVersion must be 1, got string "1"',
    )
  })

  test('the writer keeps and updates the good entries; the next reader sees no problem', async () => {
    const root = tempRoot(['a.test.ts', 'e.test.ts', 'f.test.ts', 'b.test.ts'])
    const path = join(root, 'history.json')
    writeFileSync(path, JSON.stringify(badHistory()))
    const warning = await recordHistory(path, root, [run('a.test.ts', 200, '2026-11-21T08:00:00.000Z'), run('b.test.ts', 300, '2026-11-21T08:00:00.000Z')])
    expect(warning).toMatch(
      /^vitest-memory: .*history\.json: entries\[1\]\.runs\[0\]\.at must be a string \(ISO date\), got number 1795000000000 — 5 entries dropped, the first shown; 3 files kept\.$/,
    )
    const saved = JSON.parse(readFileSync(path, 'utf8'))
    expect(saved.$schema).toBe('vitest-memory/schema/history.json')
    expect(saved.entries.map((e: { file: string }) => e.file)).toEqual(['a.test.ts', 'b.test.ts', 'e.test.ts', 'f.test.ts'])
    expect(saved.entries[0].runs.map((r: { peakRssBytes: number }) => r.peakRssBytes)).toEqual([100, 200])
    expect(checkHistory(readFileSync(path, 'utf8'), 'h').warning).toBeUndefined()
  })

  test('a newer schemaVersion is "written by a newer vitest-memory", and is left exactly as it is', async () => {
    const root = tempRoot(['a.test.ts'])
    const path = join(root, 'history.json')
    const text = JSON.stringify({ schemaVersion: 2, entries: 'whatever a newer version keeps' })
    writeFileSync(path, text)
    const before = statSync(path).mtimeMs
    expect(checkHistory(text, 'h.json')).toEqual({
      history: null,
      unusable: 'newer',
      warning: 'h.json was written by a newer vitest-memory (history schema 2; this version reads 1)',
    })
    expect(peekHistory(path)).toBeNull()
    const warning = await recordHistory(path, root, [run('a.test.ts', 1, '2026-11-21T08:00:00.000Z')])
    expect(warning).toMatch(
      /history\.json was written by a newer vitest-memory \(history schema 2; this version reads 1\): it is left as it is and not updated\.$/,
    )
    expect(readFileSync(path, 'utf8')).toBe(text)
    expect(statSync(path).mtimeMs).toBe(before)
    expect(readdirSync(root).filter(f => f.includes('corrupt'))).toEqual([])
  })

  test('peekHistory never touches the file, whatever it holds', () => {
    const root = tempRoot([])
    const path = join(root, 'history.json')
    for (const text of ['not json', JSON.stringify(badHistory()), '{"schemaVersion":1}']) {
      writeFileSync(path, text)
      peekHistory(path)
      expect(readFileSync(path, 'utf8')).toBe(text)
      expect(readdirSync(root)).toEqual(['history.json'])
    }
  })
})
