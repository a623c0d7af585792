// The setup file the pool adds in front of the project's own setupFiles, in every test file's
// process: it marks each test's start and end for the per-test tracker and leaves the test's
// measurement on `task.meta`, which travels to the main process with the task's result.
import { afterEach, beforeEach } from 'vitest'
import { TEST_META_KEY } from '../test-meta.js'
import { childTracker } from './child-state.js'

const tracker = childTracker()

beforeEach(({ task }) => {
  tracker.testStarted(task.id)
})

// Registered first, so with Vitest's default `sequence.hooks: 'stack'` it runs after the
// test's own afterEach hooks: their memory counts for the test.
afterEach(({ task }) => {
  const measured = tracker.testFinished(task.id)
  if (measured) (task.meta as Record<string, unknown>)[TEST_META_KEY] = measured
})
