// `vitest-memory/test`: what a test file imports to set a memory budget on one test.
import { parseSize } from './size.js'
import { TEST_BUDGET_META_KEY } from './test-meta.js'

type TestFunction = (context: any, ...rest: any[]) => unknown

/**
 * Gives one test a memory budget: the test fails the run (like a file over its budget) when the
 * memory it adds — its peak RSS minus the RSS when it started — goes over `budget`.
 *
 *   test('imports the catalogue', withMemoryBudget('200MB', async () => { … }))
 */
export function withMemoryBudget<F extends TestFunction>(budget: string, fn: F): F {
  const bytes = parseSize(budget, 'withMemoryBudget()')
  const budgeted = function (this: unknown, context: { task?: { meta: Record<string, unknown> } }, ...rest: unknown[]) {
    if (context?.task) context.task.meta[TEST_BUDGET_META_KEY] = bytes
    return fn.call(this, context, ...rest)
  }
  // Vitest reads a test function's source to see which fixtures it uses: show it the test's own.
  Object.defineProperty(budgeted, 'toString', { value: () => fn.toString() })
  Object.defineProperty(budgeted, 'length', { value: fn.length })
  return budgeted as unknown as F
}
