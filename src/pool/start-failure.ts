// A test process that could not start (its test environment is missing, or threw while setting
// up) fails its file, as a crash does: the file is a failed file in Vitest's state and its reports,
// and the rest of the run goes on. Not an unhandled error of the run, which Vitest prints with a
// stack of its module runner and leaves out of the file counts.
import { relative } from 'node:path'
import type { TestProject } from 'vitest/node'
import { failFileInVitest } from '../vitest-internals/tasks.js'
import { response } from './protocol.js'
import { serializeError, toPosix, type FileRequest, type FinishedMessage } from './running-file.js'
import type { VitestSink } from './worker-ports.js'

/** The name the failed file's error carries in Vitest's output. */
const ERROR_NAME = 'TestProcessStartError'

/** Vite's words for a module that is not there: its stack is the module runner's, not the user's. */
const MODULE_NOT_FOUND = /^Failed to load url /

/** Fails the file with the start error; false when Vitest's state could not take it (then the caller reports it). */
export async function failFileNotStarted(
  project: TestProject,
  file: string,
  relativeFile: string,
  error: { name?: string; message: string; stack?: string },
  durationMs: number,
): Promise<boolean> {
  const missing = MODULE_NOT_FOUND.test(error.message)
  const hint = missing ? ' (check the environment the file names in `// @vitest-environment`, or `environment` in the config)' : ''
  const message = `[vitest-memory]: the test process for ${relativeFile} failed to start: ${error.message}${hint}`
  // A throwing environment keeps its own stack (its frames are the user's code); a missing module
  // has only the module runner's frames to show.
  const stack = missing || !error.stack ? `${ERROR_NAME}: ${message}` : `${ERROR_NAME}: ${message}\n${stackFrames(error.stack)}`
  try {
    await failFileInVitest(project, file, { name: ERROR_NAME, message, stack }, durationMs)
    return true
  } catch {
    return false
  }
}

/**
 * What Vitest is told of a request whose process could not start: a `run` request's file failed
 * (through the sink, as failFileNotStarted does), else the start error on the answer itself.
 */
export async function notStartedAnswer(request: FileRequest, project: TestProject, error: unknown, vitest: VitestSink): Promise<FinishedMessage> {
  const file = request.context.files[0]?.filepath
  const relativeFile = file ? toPosix(relative(project.config.root, file)) : null
  const serialized = serializeError(error)
  if (request.type === 'run' && file && (await vitest.failNotStarted(project, file, relativeFile!, serialized))) return response({ type: 'testfileFinished' })
  const where = relativeFile !== null ? ` for ${relativeFile}` : ''
  return response({
    type: 'testfileFinished',
    error: { ...serialized, message: `[vitest-memory]: the test process${where} failed to start: ${serialized.message}` },
  })
}

/** The frames of a stack, without its first (message) lines. */
function stackFrames(stack: string): string {
  return stack
    .split('\n')
    .filter(line => /^\s+at /.test(line))
    .join('\n')
}
