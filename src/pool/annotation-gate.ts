// A malformed `// @memory-budget` or `// @memory-limit` comment is the file's problem, not the
// run's: the file fails before any process starts, with one line that says what to fix, and the
// rest of the run goes on (its table, reports, history and journal are written as always).
import type { TestProject } from 'vitest/node'
import { UsageError } from '../errors.js'
import { readAnnotations } from '../policy/annotations.js'
import { failFileInVitest } from '../vitest-internals/tasks.js'

/** The name the failed file's error carries in Vitest's output. */
const ERROR_NAME = 'MemoryAnnotationError'

/** Fails the file in Vitest when its comments do not parse; true when it failed (it must not start). */
export async function failOnBadAnnotations(project: TestProject, file: string, relativeFile: string): Promise<boolean> {
  try {
    readAnnotations(file, relativeFile)
    return false
  } catch (error) {
    if (!(error instanceof UsageError)) throw error
    const message = `vitest-memory: ${error.message}`
    await failFileInVitest(project, file, { name: ERROR_NAME, message, stack: `${ERROR_NAME}: ${message}` }, 0)
    return true
  }
}
