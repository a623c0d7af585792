// Keys on `task.meta` shared by the test process (setup hooks, withMemoryBudget) and the reporter.

/** A test's measurement (TestMemory), written by the pool's setup file at the test's end. */
export const TEST_META_KEY = 'vitestMemory'
/** A test's budget in bytes, written by withMemoryBudget() when the test starts. */
export const TEST_BUDGET_META_KEY = 'vitestMemoryBudget'
