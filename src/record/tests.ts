// Per-test measurements of one test module, as the report model shows them: each test's peak
// from its `task.meta`, its budget (withMemoryBudget), the heaviest test and the leak signal.
import type { TestModule } from 'vitest/node'
import type { TestMemory, TestPeakMethod, LeakVerdict } from '../model.js'
import { judgeLeak } from '../policy/leaks.js'
import { judgeTest } from '../policy/verdict.js'
import { TEST_BUDGET_META_KEY, TEST_META_KEY } from '../test-meta.js'
import { maxOf } from '../numbers.js'

export interface TestReport {
  name: string
  /** Suite names and the test name joined by " > ", as Vitest's `fullName`. */
  fullName: string
  state: 'pass' | 'fail' | 'skip'
  /**
   * Highest RSS while the test and its beforeEach/afterEach hooks ran: of the process tree, so
   * memory its subprocesses held is charged to it (`ownPeakRssBytes` is the process alone).
   */
  peakRssBytes: number
  /** The test process's own peak while the test ran (the kernel's exact figure). */
  ownPeakRssBytes: number
  /** RSS when the test started. */
  startRssBytes: number
  /** peakRssBytes − startRssBytes: the memory the test itself added. */
  addedRssBytes: number
  /** V8 heap used at its end minus at its start. */
  heapDeltaBytes: number
  /** V8 heap left after a forced GC at its end (--detect-leaks), else null. */
  heapAfterGcBytes: number | null
  durationMs: number
  /** Ran at the same time as another test (test.concurrent): the peak is shared, not its own. */
  overlapping: boolean
  /** Its withMemoryBudget() budget, judged on addedRssBytes; null when none. */
  budgetBytes: number | null
  overBudget: boolean
}

export interface TestDetails {
  setupPeakRssBytes: number | null
  testPeakMethod: TestPeakMethod | null
  tests: TestReport[]
  leak: LeakVerdict | null
}

export function testDetails(
  module: Pick<TestModule, 'children'>,
  file: { setupPeakRssBytes?: number | null; testPeakMethod?: TestPeakMethod | null; testTreePeaks?: Record<string, number> } | undefined,
  detectLeaks: boolean,
): TestDetails {
  const measured: (TestReport & { order: number })[] = []
  for (const test of module.children.allTests()) {
    const meta = test.meta() as Record<string, unknown>
    const memory = meta[TEST_META_KEY] as TestMemory | undefined
    if (!memory) continue
    const budget = typeof meta[TEST_BUDGET_META_KEY] === 'number' ? (meta[TEST_BUDGET_META_KEY] as number) : null
    const ownPeakRssBytes = memory.ownPeakRssBytes ?? memory.peakRssBytes
    // The process heard the tree's figure while the test awaited; the pool's own window also sees
    // a subprocess the test ran synchronously (the process could not listen then).
    const peakRssBytes = Math.max(memory.peakRssBytes, file?.testTreePeaks?.[test.id] ?? 0)
    const addedRssBytes = Math.max(0, peakRssBytes - memory.startRssBytes)
    const state = test.result().state
    measured.push({
      order: memory.order,
      name: test.name,
      fullName: test.fullName,
      state: state === 'failed' ? 'fail' : state === 'skipped' ? 'skip' : 'pass',
      peakRssBytes,
      ownPeakRssBytes,
      startRssBytes: memory.startRssBytes,
      addedRssBytes,
      heapDeltaBytes: memory.heapDeltaBytes,
      heapAfterGcBytes: memory.heapAfterGcBytes,
      durationMs: Math.round(memory.durationMs * 10) / 10,
      overlapping: memory.overlapping,
      budgetBytes: budget,
      overBudget: judgeTest(addedRssBytes, budget, 'fail')?.over ?? false,
    })
  }
  measured.sort((a, b) => a.order - b.order)
  const tests = measured.map(({ order: _order, ...test }) => test)
  const retained = tests.map(t => t.heapAfterGcBytes).filter((b): b is number => b !== null)
  return {
    setupPeakRssBytes: file?.setupPeakRssBytes ?? null,
    testPeakMethod: file?.testPeakMethod ?? null,
    tests,
    leak: detectLeaks ? judgeLeak(retained) : null,
  }
}

/** The test that added the most memory; overlapping tests only when nothing else was measured. */
export function heaviestTest(tests: readonly TestReport[]): TestReport | null {
  const byAdded = (a: TestReport, b: TestReport) => b.addedRssBytes - a.addedRssBytes || b.peakRssBytes - a.peakRssBytes
  return [...tests].sort(byAdded)[0] ?? null
}

/**
 * Tests whose peaks are within this share of the highest count as reaching it together: RSS moves
 * by a few pages from run to run, and naming a different one of them each time would say nothing.
 */
const PEAK_TIE_SHARE = 0.02

/** The test during which the file's process reached its highest RSS (of near-equal peaks, the one that added the most). */
export function peakTest(tests: readonly TestReport[]): TestReport | null {
  if (tests.length === 0) return null
  const highest = maxOf(tests.map(t => t.peakRssBytes))
  const atPeak = tests.filter(t => t.peakRssBytes >= highest * (1 - PEAK_TIE_SHARE))
  return [...atPeak].sort((a, b) => b.addedRssBytes - a.addedRssBytes || b.peakRssBytes - a.peakRssBytes)[0]
}
