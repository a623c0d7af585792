// Per-test hooks for a project that names its own `runner` (runner-hooks.ts cannot be sure to
// see its tests): beforeEach/afterEach mark each test's start and end.
// Registered by registerTestHooks(), called from a one-line setup file (see inject.ts): this
// module may be loaded natively and cached once per process, but hooks belong to each test file.
import { afterEach, beforeEach } from 'vitest'
import { measuredBySetupFile } from './runner-hooks.js'
import { testFinished, testStarted, type MeasuredTest } from './test-memory.js'
import { vmBoundary } from './vm-mode.js'

export function registerTestHooks(): void {
  // vm mode: this setup file is the first code of the file's own context.
  vmBoundary()
  // A runner that extends Vitest's own would report each test twice.
  measuredBySetupFile()
  beforeEach(({ task }) => {
    testStarted(task as MeasuredTest)
  })
  // Registered first, so with Vitest's default `sequence.hooks: 'stack'` it runs after the
  // test's own afterEach hooks: their memory counts for the test.
  afterEach(({ task }) => testFinished(task as MeasuredTest))
}
