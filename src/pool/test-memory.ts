// Each test's start and end in a test file's process, whoever reports them: Vitest's own test
// runner (runner-hooks.ts, the default) or beforeEach/afterEach hooks from a setup file
// (test-hooks.ts, for a project with its own `runner`). The test's measurement is left on
// `task.meta`, which travels to the main process with the task's result, and, when annotations
// are on, attached as Vitest test annotations. A test with withMemoryBudget() asks the pool for
// its verdict (its subprocesses count) and fails here, before Vitest decides on a retry.
import { TEST_BUDGET_META_KEY, TEST_META_KEY } from '../test-meta.js'
import { annotationsFor } from '../record/annotations.js'
import type { TestMemory } from '../model.js'
import { childSettings, childTracker } from './child-state.js'
import { announceTestStart, type VerdictReply } from './protocol.js'
import { askPool, takeTreeFigure } from './verdict-link.js'

/** The part of Vitest's test task read here (the same shape on Vitest 4.1 and 5). */
export interface MeasuredTest {
  id: string
  meta: unknown
  file?: { filepath?: string }
  result?: unknown
  context?: { annotate?: (message: string, type?: string) => Promise<unknown> }
}

export function testStarted(test: MeasuredTest): void {
  announceTestStart(test.id)
  childTracker().testStarted(test.id)
}

/** Resolves once the test's verdict and annotations are recorded; undefined (no await needed) when there are none. */
export function testFinished(test: MeasuredTest): Promise<void> | undefined {
  const measured = childTracker().testFinished(test.id)
  if (!measured) return
  const meta = test.meta as Record<string, unknown>
  const budget = typeof meta[TEST_BUDGET_META_KEY] === 'number' ? (meta[TEST_BUDGET_META_KEY] as number) : null
  if (budget == null) return record(test, withTree(measured, takeTreeFigure(test.id)), null)
  return askPool({
    kind: 'test',
    file: test.file?.filepath ?? '',
    testId: test.id,
    startRssBytes: measured.startRssBytes,
    ownPeakRssBytes: measured.peakRssBytes,
    budgetBytes: budget,
  }).then(reply => record(test, withTree(measured, Math.max(takeTreeFigure(test.id), reply?.treePeakRssBytes ?? 0)), reply))
}

/** The test's peak with what its subprocesses held (the tree's highest figure while it ran). */
function withTree(measured: TestMemory, treeRssBytes: number): TestMemory {
  if (treeRssBytes <= measured.peakRssBytes) return measured
  return { ...measured, ownPeakRssBytes: measured.peakRssBytes, peakRssBytes: treeRssBytes }
}

function record(test: MeasuredTest, measured: TestMemory, verdict: VerdictReply | null): Promise<void> | undefined {
  const meta = test.meta as Record<string, unknown>
  meta[TEST_META_KEY] = measured
  const result = test.result as { state: string; errors?: unknown[] } | undefined
  if (verdict?.error && result) {
    // As Vitest's failTask does: the state Vitest's retry and summary read, and the error it prints.
    result.state = 'fail'
    result.errors = [...(result.errors ?? []), verdict.error]
  }
  // Vitest's own annotations: the memory shows in Vitest UI, the VS Code extension, the html and
  // junit reporters. A test's memory is known only after it ran, and Vitest refuses annotate()
  // once the state is settled — which it is by now; the state is shown as "run" for the
  // synchronous call only (the guard is the only place that reads it).
  const add = test.context?.annotate
  if (childSettings().annotations === false || typeof add !== 'function' || !result) return
  const annotations = annotationsFor(measured, verdict?.warning ?? null)
  if (!annotations.length) return
  const recorded: Promise<unknown>[] = []
  for (const { message, type } of annotations) {
    const settled = result.state
    try {
      result.state = 'run'
      recorded.push(add(message, type).catch(() => {}))
    } catch {
      // an annotation must never fail the test it describes
    } finally {
      result.state = settled
    }
  }
  return Promise.all(recorded).then(() => {})
}
