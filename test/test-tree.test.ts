// The pool charges its tree samples to the test that was running: unit cases with plain samples.
import { describe, expect, test } from 'vitest'
import type { TreeSample } from '../src/measure/sampler.js'
import { TestTreeWindows, TREE_NEWS_STEP_BYTES } from '../src/pool/test-tree.js'
import { judgeFile, judgeTest } from '../src/policy/verdict.js'
import { answerVerdict } from '../src/pool/verdict-answer.js'

const MB = 1e6
const sample = (rootMb: number, treeMb: number): TreeSample => ({
  at: 0,
  rootRssBytes: rootMb * MB,
  rootHwmBytes: rootMb * MB,
  treeRssBytes: treeMb * MB,
  heaviestChild: null,
})

describe('TestTreeWindows', () => {
  test('a test during which a subprocess held memory gets the tree peak; one without gets none', () => {
    const windows = new TestTreeWindows()
    windows.started('a')
    windows.sample(sample(60, 60))
    windows.started('b') // a's window closes: no subprocess was seen in it
    windows.sample(sample(61, 200))
    windows.sample(sample(61, 310))
    windows.sample(sample(61, 90))
    windows.started('c')
    windows.sample(sample(62, 62))
    expect(windows.peakOf('a')).toBeNull()
    expect(windows.peakOf('b')).toBe(310 * MB)
    expect(windows.toRecord()).toEqual({ b: 310 * MB })
  })

  test("the process is told the tree's figure only when subprocesses hold memory and it rose by a step", () => {
    const windows = new TestTreeWindows()
    windows.started('t')
    expect(windows.sample(sample(60, 60))).toEqual([])
    expect(windows.sample(sample(60, 100))).toEqual([{ testId: 't', treeRssBytes: 100 * MB }])
    expect(windows.sample(sample(60, 100 + TREE_NEWS_STEP_BYTES / MB / 2))).toEqual([])
    expect(windows.sample(sample(60, 102))).toEqual([{ testId: 't', treeRssBytes: 102 * MB }])
  })

  test('a verdict query closes the window: later samples are not charged to that test', () => {
    const windows = new TestTreeWindows()
    windows.started('t')
    windows.sample(sample(60, 150))
    windows.ended('t')
    windows.sample(sample(60, 900))
    expect(windows.peakOf('t')).toBe(150 * MB)
  })
})

describe('the one verdict', () => {
  const policy = { budgetMode: 'fail' as const, sharedBudget: 'added' as const }
  test('isolated: the tree peak is judged', () => {
    expect(judgeFile({ treePeakRssBytes: 365 * MB, budgetBytes: 200 * MB, budgetSource: 'global' }, policy)).toMatchObject({
      judgedBytes: 365 * MB,
      basis: 'tree',
      over: true,
      fails: true,
    })
  })
  test('shared, added: what the file added above its start; absolute: its whole peak', () => {
    const figures = { treePeakRssBytes: 408 * MB, budgetBytes: 300 * MB, budgetSource: 'global', shared: { startRssBytes: 198 * MB } }
    expect(judgeFile(figures, policy)).toMatchObject({ judgedBytes: 210 * MB, basis: 'added', over: false, fails: false })
    expect(judgeFile(figures, { ...policy, sharedBudget: 'absolute' })).toMatchObject({ judgedBytes: 408 * MB, basis: 'tree', over: true, fails: true })
  })
  test('warn mode: over, but nothing fails', () => {
    expect(judgeFile({ treePeakRssBytes: 365 * MB, budgetBytes: 200 * MB, budgetSource: 'global' }, { ...policy, budgetMode: 'warn' })).toMatchObject({
      over: true,
      fails: false,
    })
    expect(judgeTest(150 * MB, 100 * MB, 'warn')).toMatchObject({ over: true, fails: false })
  })
  test('no budget or no figure: never over', () => {
    expect(judgeFile({ treePeakRssBytes: 365 * MB, budgetBytes: null, budgetSource: null }, policy).over).toBe(false)
    expect(judgeFile({ treePeakRssBytes: null, budgetBytes: 1, budgetSource: 'global' }, policy).over).toBe(false)
    expect(judgeTest(150 * MB, null, 'fail')).toBeNull()
  })
})

describe("the pool's answer to a verdict query (no process: a fake running file)", () => {
  const policy = { budgetMode: 'fail' as const, sharedBudget: 'added' as const }
  const running = (budgetBytes: number | null) =>
    ({
      file: '/p/a.test.ts',
      relativeFile: 'a.test.ts',
      startedAt: 0,
      budget: budgetBytes == null ? null : { bytes: budgetBytes, source: 'global' },
      watch: { tests: new TestTreeWindows(), shared: null },
    }) as never

  test('a file over its budget: an error, and the file is marked as failed in its process', () => {
    const file = running(200 * MB) as { failedInChild?: boolean }
    const reply = answerVerdict({ id: 1, kind: 'file', file: '/p/a.test.ts', ownPeakRssBytes: 61 * MB, startRssBytes: null }, file as never, 365 * MB, policy)
    expect(reply.error?.message).toBe('vitest-memory: a.test.ts peaked at 365 MB, over its memory budget of 200 MB (global)')
    expect(file.failedInChild).toBe(true)
    expect(
      answerVerdict({ id: 2, kind: 'file', file: '/p/a.test.ts', ownPeakRssBytes: 61 * MB, startRssBytes: null }, running(200 * MB), 150 * MB, policy).error,
    ).toBeUndefined()
  })

  test('a query for another file than the one running gets no verdict', () => {
    expect(
      answerVerdict({ id: 3, kind: 'file', file: '/p/other.test.ts', ownPeakRssBytes: 900 * MB, startRssBytes: null }, running(1), 900 * MB, policy),
    ).toEqual({ id: 3, treePeakRssBytes: null })
  })

  test("a budgeted test is charged its window's tree peak; warn mode answers with a warning", () => {
    const file = running(null) as { watch: { tests: TestTreeWindows } }
    file.watch.tests.started('t')
    file.watch.tests.sample(sample(61, 310))
    const query = { id: 4, kind: 'test' as const, file: '/p/a.test.ts', testId: 't', startRssBytes: 60 * MB, ownPeakRssBytes: 61 * MB, budgetBytes: 100 * MB }
    const failed = answerVerdict(query, file as never, 0, policy)
    expect(failed.treePeakRssBytes).toBe(310 * MB)
    expect(failed.error?.message).toBe('vitest-memory: a.test.ts: the test added 250 MB, over its memory budget of 100 MB (withMemoryBudget)')
    const warned = answerVerdict(query, file as never, 0, { ...policy, budgetMode: 'warn' })
    expect(warned.error).toBeUndefined()
    expect(warned.warning).toContain('(warning only)')
  })
})
