// Per-test measurement through Vitest's own test runner. The pool wraps two methods of Vitest's
// `TestRunner` class — the one every project runs unless it names its own `runner` — so nothing
// is added to the test files: no setup file to fetch and evaluate and no hooks to call per file.
// In a shared process (isolate: false) with hundreds of small files, that setup file and its
// hooks were most of the pool's cost over Vitest's own `forks`.
//
//   onBeforeTryTask   each try of a test, before its beforeEach hooks
//   onAfterRetryTask  the same try, after its afterEach hooks, onTestFinished and fixture cleanup
//
// Both are part of Vitest's runner interface for custom runners (4.1 and 5). The class is taken
// from the Vitest package the worker entry belongs to: the very module instance the worker
// instantiates, loaded natively in this process.
import type { TestRunnerSource } from '../vitest-internals/runner-class.js'
import { testFinished, testStarted, type MeasuredTest } from './test-memory.js'

const SETUP_FILE_KEY = Symbol.for('vitest-memory.measured-by-setup-file')
const PATCHED_KEY = Symbol.for('vitest-memory.runner-patched')

type TryHook = (this: unknown, test: MeasuredTest, options: unknown) => unknown

/**
 * Wraps Vitest's TestRunner; false when it was not found (per-test figures are then missing, the
 * file's are not).
 */
export async function installRunnerHooks(source: TestRunnerSource, boundaries?: FileBoundaries, fileEnd?: FileEndHook): Promise<boolean> {
  const runnerClass = await testRunnerClass(source)
  const proto = runnerClass?.prototype as Record<string | symbol, unknown> | undefined
  if (!proto) return false
  if (proto[PATCHED_KEY]) return true
  proto[PATCHED_KEY] = true
  if (boundaries) wrapFileBoundaries(proto, boundaries)
  if (fileEnd) wrapFileEnd(proto, fileEnd)
  const beforeTry = proto.onBeforeTryTask as TryHook | undefined
  const afterRetry = proto.onAfterRetryTask as TryHook | undefined
  proto.onBeforeTryTask = function (this: unknown, test: MeasuredTest, options: unknown) {
    if (!bySetupFile()) testStarted(test)
    return beforeTry?.call(this, test, options)
  }
  // Synchronous unless something must be awaited: a promise per test costs the runner a tick.
  proto.onAfterRetryTask = function (this: unknown, test: MeasuredTest, options: unknown) {
    const inherited = afterRetry?.call(this, test, options)
    if (inherited instanceof Promise) return inherited.then(() => (bySetupFile() ? undefined : testFinished(test)))
    return bySetupFile() ? inherited : testFinished(test)
  }
  return true
}

/**
 * A shared process (isolate: false) that runs Vitest's batch of files whole learns where one file
 * ends and the next begins from the runner: Vitest's worker runs each file of a batch through
 * its own `startTests` call, which begins with onBeforeCollect (before setup files and the
 * file's imports) and ends with onAfterRunFiles (after its last test and afterAll hook).
 */
export interface FileBoundaries {
  fileStarted(file: string): void
  fileFinished(file: string): void
}

type FilesHook = (this: unknown, files: unknown[]) => unknown

function wrapFileBoundaries(proto: Record<string | symbol, unknown>, boundaries: FileBoundaries): void {
  const beforeCollect = proto.onBeforeCollect as FilesHook | undefined
  const afterRunFiles = proto.onAfterRunFiles as FilesHook | undefined
  proto.onBeforeCollect = function (this: unknown, paths: unknown[]) {
    const first = paths[0]
    if (typeof first === 'string') boundaries.fileStarted(first)
    return beforeCollect?.call(this, paths)
  }
  proto.onAfterRunFiles = function (this: unknown, files: unknown[]) {
    const finish = () => {
      const file = (files[0] as { filepath?: unknown } | undefined)?.filepath
      if (typeof file === 'string') boundaries.fileFinished(file)
    }
    const inherited = afterRunFiles?.call(this, files)
    if (inherited instanceof Promise) return inherited.then(finish)
    finish()
    return inherited
  }
}

/**
 * Called with a file's task after its last test, afterAll hooks and snapshot checks, before Vitest
 * settles it (`onAfterRunSuite` precedes the file's final update, 4.1 and 5): what it adds to the
 * file's result (an error, state "fail") is what every reporter, the summary and `--bail` see.
 */
export type FileEndHook = (file: RunnerSuite) => Promise<void> | void

export interface RunnerSuite {
  filepath?: string
  file?: unknown
  mode?: string
  result?: { state: string; errors?: unknown[] }
}

function wrapFileEnd(proto: Record<string | symbol, unknown>, fileEnd: FileEndHook): void {
  const afterRunSuite = proto.onAfterRunSuite as ((this: unknown, suite: RunnerSuite) => unknown) | undefined
  proto.onAfterRunSuite = async function (this: unknown, suite: RunnerSuite) {
    await afterRunSuite?.call(this, suite)
    if (typeof suite.filepath === 'string' && suite.file === suite && suite.mode !== 'skip') await fileEnd(suite)
  }
}

/** Called by the setup-file hooks (a project with its own runner): the runner's wrap stands down. */
export function measuredBySetupFile(): void {
  ;(globalThis as { [SETUP_FILE_KEY]?: boolean })[SETUP_FILE_KEY] = true
}

function bySetupFile(): boolean {
  return (globalThis as { [SETUP_FILE_KEY]?: boolean })[SETUP_FILE_KEY] === true
}

async function testRunnerClass(source: TestRunnerSource): Promise<(new (...args: never[]) => unknown) | null> {
  const module = (await import(source.url).catch(() => null)) as Record<string, unknown> | null
  const found = module?.[source.exportName]
  return typeof found === 'function' ? (found as new () => unknown) : null
}
