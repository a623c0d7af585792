// Which test a file's process is running, told to the pool the moment the test starts. Vitest's
// own task update says so too, but its worker throttles updates (100 ms) and can hold a test's
// start until the next update, which a test killed at its limit or by the OOM killer never sends
// (the throttle's timer can fire a millisecond "early" by Date.now and then waits for another
// update). Without this, the pool could not tell Vitest which test was running when the process
// died: the error would land on the file and the test would show as skipped.
export const TEST_START_KEY = '__vitest_memory_test__'

/** In a test file's process: one small IPC message, written before the test's body runs. */
export function announceTestStart(testId: string): void {
  process.send?.({ [TEST_START_KEY]: testId })
}

/** In the pool: the id of the test a message says started, else null. */
export function startedTestOf(message: unknown): string | null {
  const id = (message as Record<string, unknown> | null)?.[TEST_START_KEY]
  return typeof id === 'string' ? id : null
}
