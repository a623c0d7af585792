// The per-test hooks the pool puts in front of the project's own setupFiles, in every test file's
// process: they mark each test's start and end for the per-test tracker and leave the test's
// measurement on `task.meta`, which travels to the main process with the task's result.
// Registered by registerTestHooks(), called from a one-line setup file (see inject.ts): this
// module may be loaded natively and cached once per process, but hooks belong to each test file.
import { afterEach, beforeEach } from 'vitest'
import { TEST_META_KEY } from '../test-meta.js'
import { annotationsFor } from '../record/annotations.js'
import { childSettings, childTracker } from './child-state.js'

const tracker = childTracker()
const annotate = childSettings().annotations !== false

export function registerTestHooks(): void {
  beforeEach(({ task }) => {
    tracker.testStarted(task.id)
  })
  // Registered first, so with Vitest's default `sequence.hooks: 'stack'` it runs after the
  // test's own afterEach hooks: their memory counts for the test.
  afterEach(testFinished)
}

async function testFinished(context: { task: { id: string, meta: unknown, result?: unknown } }): Promise<void> {
  const { task } = context
  const measured = tracker.testFinished(task.id)
  if (!measured) return
  const meta = task.meta as Record<string, unknown>
  meta[TEST_META_KEY] = measured
  // Vitest's own annotations: the memory shows in Vitest UI, the VS Code extension, the html and
  // junit reporters. A test's memory is known only after it ran, and Vitest refuses annotate()
  // once the state is settled — which it is before afterEach hooks run; the state is shown as
  // "run" for the synchronous call only (the guard is the only place that reads it).
  const add = (context as { annotate?: (message: string, type?: string) => Promise<unknown> }).annotate
  if (!annotate || typeof add !== 'function' || !task.result) return
  for (const { message, type } of annotationsFor(measured, meta)) {
    const result = task.result as { state: string }
    const settled = result.state
    let recorded: Promise<unknown> | undefined
    try {
      result.state = 'run'
      recorded = add(message, type)
    } catch {
      // an annotation must never fail the test it describes
    } finally {
      result.state = settled
    }
    await recorded?.catch(() => {})
  }
}
