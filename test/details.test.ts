// The line under a file's row says where its memory went, but only when there is something to say.
import { describe, expect, test } from 'vitest'
import { createColors } from 'picocolors'
import { detailLines, setupBaseline } from '../src/report/details.js'
import type { TestReport } from '../src/record/tests.js'
import { file, MB } from './report-model.js'

const plain = createColors(false)

function testReport(name: string, addedMB: number, peakMB: number): TestReport {
  return {
    name,
    fullName: name,
    state: 'pass',
    peakRssBytes: peakMB * MB,
    startRssBytes: (peakMB - addedMB) * MB,
    addedRssBytes: addedMB * MB,
    heapDeltaBytes: 0,
    heapAfterGcBytes: null,
    durationMs: 5,
    overlapping: false,
    budgetBytes: null,
    overBudget: false,
  } as TestReport
}

describe('detailLines', () => {
  const light = file('light.test.ts', 62, { setupPeakRssBytes: 61 * MB, tests: [testReport('adds', 0.1, 61.2)] })
  const heavy = file('heavy.test.ts', 372, { setupPeakRssBytes: 61 * MB, tests: [testReport('imports the catalogue', 309, 371)] })
  const setupHeavy = file('setup.test.ts', 272, { setupPeakRssBytes: 271 * MB, tests: [testReport('reads', 0.2, 271)] })
  const baseline = setupBaseline([light, heavy, setupHeavy])

  test("the run's baseline is its lightest setup", () => {
    expect(baseline).toBe(61 * MB)
  })

  test('a file whose tests added a lot names the test it peaked in, which also added the most', () => {
    expect(detailLines(heavy, plain, baseline)).toEqual(['     ↳ peak 371 MB during test "imports the catalogue" · it added the most: +309 MB · setup 61.0 MB'])
  })

  test('when the test at the peak is not the one that added the most, both are named', () => {
    // "builds" adds 200 MB and frees it; "keeps" then starts from 150 MB and reaches 280 MB
    const twoTests = file('two.test.ts', 281, { setupPeakRssBytes: 61 * MB, tests: [testReport('builds', 200, 261), testReport('keeps', 130, 280)] })
    expect(detailLines(twoTests, plain, baseline)).toEqual(['     ↳ peak 280 MB during test "keeps" · most added by test "builds" +200 MB · setup 61.0 MB'])
  })

  test('a file whose weight is in its setup says so', () => {
    expect(detailLines(setupHeavy, plain, baseline)[0]).toContain('peak in setup (imports, module code, beforeAll): 271 MB')
  })

  test('a light file gets no line, unless it is over budget', () => {
    expect(detailLines(light, plain, baseline)).toEqual([])
    expect(detailLines({ ...light, overBudget: true }, plain, baseline)).toHaveLength(1)
  })
})
