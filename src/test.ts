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
    if (!measuredHere()) warnUnmeasuredOnce()
    return fn.call(this, context, ...rest)
  }
  // Vitest reads a test function's source to see which fixtures it uses: show it the test's own.
  Object.defineProperty(budgeted, 'toString', { value: () => fn.toString() })
  Object.defineProperty(budgeted, 'length', { value: fn.length })
  return budgeted as unknown as F
}

/** Set on `process` by the memory pool's test process (child.ts): on `process`, so a vm context sees it too. */
const MEASURED_KEY = Symbol.for('vitest-memory.measured-process')
const WARNED_KEY = Symbol.for('vitest-memory.unmeasured-budget-warned')

function measuredHere(): boolean {
  return MEASURED_KEY in process
}

/** Under a pool that cannot measure (e.g. `forks`) a budget would pass silently: said once per process. */
function warnUnmeasuredOnce(): void {
  const holder = globalThis as { [WARNED_KEY]?: boolean }
  if (holder[WARNED_KEY]) return
  holder[WARNED_KEY] = true
  console.warn(
    'vitest-memory: withMemoryBudget() is not checked: this file does not run in the memory pool (set `pool: memoryPool()` or run `vitest-memory run`).',
  )
}
