// A file name is chosen by whoever wrote the test file (or the report, the journal): an escape
// sequence or a newline in it must reach the terminal escaped, in the table, `why` and `compare`.
import { describe, expect, test } from 'vitest'
import { analyzeJournal, renderWhy } from '../src/cli/why.js'
import { compareReports } from '../src/policy/regression.js'
import { renderComparison } from '../src/report/compare-table.js'
import { renderTable } from '../src/report/table.js'
import { file, report } from './report-model.js'

const EVIL = 'test/\u001b[2J\u001b]0;owned\u0007evil\nfake row.test.ts'
const SHOWN = 'test/\\u001b[2J\\u001b]0;owned\\u0007evil\\u000afake row.test.ts'
// Colors are ours (the table may color); the file's own ESC, BEL and newline must not pass.
const raw = (text: string) => text.includes('\u001b[2J') || text.includes('\u0007') || text.includes('evil\n')

describe('control characters in file names', () => {
  test('the terminal table shows them escaped', () => {
    const text = renderTable(report([file(EVIL, 80, { state: 'crash' }), file('test/plain.test.ts', 60)]), 10)
    expect(raw(text)).toBe(false)
    expect(text).toContain(SHOWN.slice(0, 20))
  })

  test('`why` shows them escaped', () => {
    const run = { t: 'run', at: 1000, pid: 9, argv: [], cwd: '/', limitBytes: null, limits: [], totalMemoryBytes: 8e9, cgroupLimitBytes: null, cpus: 2 }
    const journal = [
      run,
      { t: 'file-start', at: 1100, file: EVIL, project: '', pid: 10, limitBytes: null },
      { t: 'file-end', at: 1200, file: 'x\u001b[31m.test.ts', pid: 11, state: 'pass', peakRssBytes: 1, treePeakRssBytes: 1, durationMs: 1 },
    ]
    const text = renderWhy(analyzeJournal(`${journal.map(e => JSON.stringify(e)).join('\n')}\n`))
    expect(raw(text) || text.includes('\u001b')).toBe(false)
    expect(text).toContain(SHOWN)
    expect(text).toContain('x\\u001b[31m.test.ts')
  })

  test('`compare` shows them escaped', () => {
    const comparison = compareReports(report([file(EVIL, 50)]), report([file(EVIL, 150)]), { failOnIncrease: 0.1, minDeltaBytes: 1e6 })
    const text = renderComparison(comparison)
    expect(raw(text)).toBe(false)
    expect(text).toContain('fake row.test.ts')
  })
})
