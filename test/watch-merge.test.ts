// Watch mode's report.json: a rerun merged into the session's last report.
import { mkdtempSync, mkdirSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { describe, expect, test } from 'vitest'
import { reportToWrite } from '../src/record/watch-merge.js'
import { file, report } from './report-model.js'

describe('reportToWrite', () => {
  const root = mkdtempSync(join(tmpdir(), 'vm-watch-merge-'))
  mkdirSync(join(root, 'test'))
  for (const name of ['a', 'b', 'c']) writeFileSync(join(root, `test/${name}.test.ts`), '')
  const at = (startedAt: string) => ({ run: { ...report([]).run, startedAt } })

  test("outside watch mode the run's own report, untouched", () => {
    const own = report([file('test/a.test.ts', 60)])
    expect(reportToWrite(own, join(root, 'plain.json'), false, root)).toBe(own)
  })

  test('each rerun keeps the files it did not measure, marked with the run that measured them', () => {
    const path = join(root, 'report.json')
    const full = report(
      [
        file('test/a.test.ts', 60, { startedAtMs: 0, workerSlot: 0 }),
        file('test/b.test.ts', 70, { startedAtMs: 5, workerSlot: 1 }),
        file('test/c.test.ts', 80),
      ],
      at('2026-01-01T10:00:00.000Z'),
    )
    expect(reportToWrite(full, path, true, root).files.map(f => f.measuredAt)).toEqual([undefined, undefined, undefined])

    const first = reportToWrite(report([file('test/a.test.ts', 65)], at('2026-01-01T10:05:00.000Z')), path, true, root)
    expect(first.run.startedAt).toBe('2026-01-01T10:05:00.000Z')
    expect(first.files.map(f => [f.file, f.treePeakRssBytes, f.measuredAt])).toEqual([
      ['test/a.test.ts', 65e6, undefined],
      ['test/b.test.ts', 70e6, '2026-01-01T10:00:00.000Z'],
      ['test/c.test.ts', 80e6, '2026-01-01T10:00:00.000Z'],
    ])
    expect(first.files[1]).not.toHaveProperty('startedAtMs')
    expect(first.files[1]).not.toHaveProperty('workerSlot')

    // b re-run later; a keeps the date it was measured at, not the date of the report it came through.
    const second = reportToWrite(report([file('test/b.test.ts', 71)], at('2026-01-01T10:09:00.000Z')), path, true, root)
    expect(second.files.map(f => [f.file, f.measuredAt])).toEqual([
      ['test/b.test.ts', undefined],
      ['test/a.test.ts', '2026-01-01T10:05:00.000Z'],
      ['test/c.test.ts', '2026-01-01T10:00:00.000Z'],
    ])
  })

  test('a test file deleted since it was measured leaves the report', () => {
    const path = join(root, 'deleted.json')
    writeFileSync(join(root, 'test/gone.test.ts'), '')
    reportToWrite(report([file('test/a.test.ts', 60), file('test/gone.test.ts', 60)]), path, true, root)
    rmSync(join(root, 'test/gone.test.ts'))
    const merged = reportToWrite(report([file('test/a.test.ts', 61)]), path, true, root)
    expect(merged.files.map(f => f.file)).toEqual(['test/a.test.ts'])
  })
})
