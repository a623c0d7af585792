// History: merge, keep the last few runs, prune deleted files, set a corrupt file aside,
// and never lose entries when runs write at the same time.
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { describe, expect, test } from 'vitest'
import { emptyHistory, lastPeak, mergeRuns, readHistory, recordHistory, RUNS_KEPT, type MeasuredRun } from '../src/record/history.js'

const run = (file: string, peak: number, at: string, project = ''): MeasuredRun => ({
  project, file, run: { at, peakRssBytes: peak, treePeakRssBytes: peak, durationMs: 10, state: 'pass' },
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
})

describe('the history file', () => {
  test('a corrupt file is set aside with a one-line warning, never a crash', () => {
    const root = tempRoot([])
    const path = join(root, 'history.json')
    writeFileSync(path, '{"schemaVersion":1,"entries":[{"fi')
    const { history, warning } = readHistory(path)
    expect(history.entries).toEqual([])
    expect(warning).toMatch(/history\.json was not valid history JSON; it was moved to .*history\.json\.corrupt-\d+ and a new one started\./)
    expect(warning!.split('\n')).toHaveLength(1)
    expect(existsSync(path)).toBe(false)
    expect(readdirSync(root).some(f => f.startsWith('history.json.corrupt-'))).toBe(true)
  })

  test('concurrent writers never lose each other\'s entries', async () => {
    const files = Array.from({ length: 20 }, (_, i) => `test/f${i}.test.ts`)
    const root = tempRoot(files)
    const path = join(root, '.vitest-memory/history.json')
    await Promise.all(files.map((file, i) => recordHistory(path, root, [run(file, i, `2026-11-27T00:00:${String(i).padStart(2, '0')}Z`)])))
    const saved = JSON.parse(readFileSync(path, 'utf8'))
    expect(saved.entries.map((e: { file: string }) => e.file).sort()).toEqual([...files].sort())
    expect(existsSync(`${path}.lock`)).toBe(false)
  })
})
