// Vitest's tasks and state as the main process reads and writes them: the File task of a file,
// a test marked started, a dead process's file failed, cancelled files, reporters, source maps.
// Most of it is internal to Vitest (not in its types) but present in 4.1 and 5: checked for each
// installed major by test/vitest-internals.test.ts.
import type { Reporter, TestProject, Vitest } from 'vitest/node'
import { newFileTask } from './runner-utils.js'

const REPORTER_MARK = Symbol.for('vitest-memory.reporter')

export function isMemoryReporter(reporter: unknown): boolean {
  return typeof reporter === 'object' && reporter !== null && REPORTER_MARK in reporter
}

export function markReporter(reporter: object): void {
  Object.defineProperty(reporter, REPORTER_MARK, { value: true })
}

/**
 * The pool has no hook before reporters are created, so when the user did not list
 * MemoryReporter (and the CLI did not add it), the pool adds one when it starts its first worker.
 */
export function ensureReporter(vitest: Vitest, create: () => Reporter): void {
  // `reporters` is internal to Vitest (not in its types) but present in 4.1 and 5.
  const reporters = (vitest as unknown as { reporters: Reporter[] }).reporters
  if (reporters.some(isMemoryReporter)) return
  const reporter = create()
  reporter.onInit?.(vitest)
  reporters.push(reporter)
}

/** The source map of a module as Vite transformed it for the tests (e.g. TypeScript → JS), if any. */
export function transformedSourceMap(vitest: Vitest, file: string): { mappings: string } | null {
  for (const project of vitest.projects) {
    for (const environment of Object.values(project.vite.environments ?? {})) {
      for (const module of environment.moduleGraph?.getModulesByFile(file) ?? []) {
        const map = module.transformResult?.map as { mappings?: string } | null | undefined
        if (map?.mappings) return { mappings: map.mappings }
      }
    }
  }
  return null
}

/**
 * Tells Vitest about a file that is never started, as a skipped module: its reporters see it
 * queued, collected, started and ended, and its summary counts it as skipped.
 */
export async function reportSkippedFile(project: TestProject, filepath: string, tags: string[], method: 'run' | 'collect'): Promise<void> {
  const file = await newFileTask(project, filepath)
  file.mode = 'skip'
  file.result = { state: 'skip' }
  file.tags = tags
  // `state`, `_testRun` and `_reportFileTask` are internal to Vitest (present in 4.1).
  const vitest = project.vitest as unknown as {
    state: { collectFiles: (project: TestProject, files: unknown[]) => void }
    _reportFileTask?: (file: unknown) => Promise<void>
  }
  if (method === 'collect') vitest.state.collectFiles(project, [file])
  else if (vitest._reportFileTask) await vitest._reportFileTask(file)
  else
    throw new Error(
      'vitest-memory: this Vitest version has no way to report a file that was not started; run without --skip-memory-intensive/--only-memory-intensive.',
    )
}

/**
 * The main process's File task of a test file, or undefined. `state.filesMap` (file path → one File
 * per project) is internal to Vitest but present in 4.1 and 5; data put on the task's `meta` travels
 * with the blob reporter and `--merge-reports`.
 */
export function findFileTask(vitest: Vitest, project: string, file: string): { meta: Record<string, unknown> } | undefined {
  const state = (vitest as unknown as { state?: { filesMap?: Map<string, { projectName?: string; meta: Record<string, unknown> }[]> } }).state
  return state?.filesMap?.get(file)?.find(task => (task.projectName ?? '') === project)
}

/** `--shard i/n` of this run as "i/n", or null. */
export function shardLabel(vitest: Vitest): string | null {
  const shard = (vitest.config as { shard?: { index: number; count: number } }).shard
  return shard ? `${shard.index}/${shard.count}` : null
}

// ---- A file whose process died: made a failed file by Vitest itself (4.1: TestRun, StateManager) ----

interface TaskResult {
  state: string
  errors?: unknown[]
  duration?: number
  startTime?: number
}

interface RunnerTask {
  id: string
  type: 'suite' | 'test'
  mode: string
  name: string
  filepath?: string
  projectName?: string
  local?: boolean
  result?: TaskResult
  meta: object
  tasks?: RunnerTask[]
}

interface VitestInternals {
  distPath: string
  state: { filesMap: Map<string, RunnerTask[]>; idMap: Map<string, RunnerTask> }
  _testRun: {
    enqueued(project: TestProject, file: RunnerTask): Promise<void>
    updated(packs: [string, TaskResult | undefined, object][], events: [string, string, undefined][]): Promise<void>
  }
}

export interface SerializedError {
  name: string
  message: string
  stack: string
}

function internals(project: TestProject): VitestInternals {
  return project.vitest as unknown as VitestInternals
}

function fileTaskOf(project: TestProject, filepath: string): RunnerTask | undefined {
  return internals(project)
    .state.filesMap.get(filepath)
    ?.find(f => f.projectName === project.config.name && !f.local)
}

/**
 * Reports a test as started, as the worker's own update would have, unless Vitest already has it
 * started or settled: the worker throttles its updates, and a process killed mid-test may never
 * have sent that one.
 */
export async function startTestInVitest(project: TestProject, testId: string, startTime: number): Promise<void> {
  const vitest = internals(project)
  const test = vitest.state.idMap.get(testId)
  if (test?.type !== 'test' || (test.result && test.result.state !== 'queued')) return
  await vitest._testRun.updated([[testId, { ...test.result, state: 'run', startTime }, test.meta]], [[testId, 'test-prepare', undefined]])
}

/**
 * Marks a test file FAILED with `error` in Vitest's own state and reports it as every finished file
 * is reported (onTestModuleEnd, the summary's failed files, json/junit reporters, the exit code).
 * The test that was running fails with the error (or the file itself when no test was running,
 * so the error is printed once); tests that never ran are skipped.
 */
export async function failFileInVitest(project: TestProject, filepath: string, error: SerializedError, durationMs: number): Promise<void> {
  const vitest = internals(project)
  let file = fileTaskOf(project, filepath)
  if (!file) {
    // The process died before the worker announced the file: register it as Vitest would.
    file = (await newFileTask(project, filepath)) as unknown as RunnerTask
    await vitest._testRun.enqueued(project, file)
  }
  const startedReporting = file.result != null
  const packs: [string, TaskResult | undefined, object][] = []
  const events: [string, string, undefined][] = []
  let failedTests = 0
  const settle = (task: RunnerTask): void => {
    for (const child of task.tasks ?? []) settle(child)
    if (task === file) return
    if (task.result?.state === 'run' || task.result?.state === 'queued') {
      if (task.type === 'test') failedTests++
      task.result = { ...task.result, state: 'fail', errors: task.type === 'test' ? [error] : task.result.errors }
      packs.push([task.id, task.result, task.meta])
      events.push([task.id, task.type === 'test' ? 'test-finished' : 'suite-finished', undefined])
    } else if (!task.result) {
      task.mode = 'skip'
      task.result = { state: 'skip' }
      packs.push([task.id, task.result, task.meta])
    }
  }
  settle(file)
  file.mode = 'run'
  // The error goes on the test that was running, else on the file. Any `errors` on the file, even
  // an empty list, makes Vitest count it under "Failed Suites": only a file that holds the error has it.
  const { errors: _none, ...result } = file.result ?? { state: 'fail' }
  file.result = failedTests > 0 ? { ...result, state: 'fail', duration: durationMs } : { ...result, state: 'fail', errors: [error], duration: durationMs }
  packs.push([file.id, file.result, file.meta])
  // A module whose start was never reported gets start + end, like a file that fails on import.
  events.push([file.id, startedReporting ? 'suite-finished' : 'suite-failed-early', undefined])
  await vitest._testRun.updated(packs, events)
}

/**
 * Fails a file Vitest already has as finished (its last update came from its process) with
 * `error`, the way a failing afterAll hook leaves it: the summary, junit, json and html reporters
 * read the File task when the run ends. Used for a memory verdict known only at the file's end.
 */
export async function failFinishedFileInVitest(project: TestProject, filepath: string, error: SerializedError): Promise<void> {
  const file = fileTaskOf(project, filepath)
  if (!file?.result) return
  file.result = { ...file.result, state: 'fail', errors: [...(file.result.errors ?? []), error] }
  await internals(project)
    ._testRun.updated([[file.id, file.result, file.meta]], [])
    .catch(() => {})
}

/**
 * `--bail N` counts failed tasks in Vitest's worker after each failed test; a file failed by its
 * memory has no failed test there, so the pool applies the same rule when it fails one (the file
 * is in Vitest's state as failed by then, so it counts itself).
 */
export function bailAfterMemoryFailure(project: TestProject): void {
  const vitest = project.vitest as unknown as {
    config: { bail?: number }
    state: { getCountOfFailedTests(): number }
    cancelCurrentRun?: (reason: string) => Promise<void>
  }
  const bail = vitest.config.bail
  if (!bail || isCancelling(project.vitest)) return
  if (vitest.state.getCountOfFailedTests() >= bail) void vitest.cancelCurrentRun?.('test-failure')
}

/** Vitest's verdict on a finished file, for the journal: pass, fail or skip. */
export function fileStateInVitest(project: TestProject, filepath: string): string {
  const state = fileTaskOf(project, filepath)?.result?.state
  return state === 'pass' ? 'pass' : state === 'fail' ? 'fail' : state === 'skip' ? 'skip' : 'unknown'
}

/** The state Vitest's TestModule has for a file now ("passed", "failed", "pending", …). */
export function moduleStateInVitest(vitest: Vitest, filepath: string, projectName: string): string {
  const state = (vitest as unknown as VitestInternals).state
  const task = state.filesMap.get(filepath)?.find(f => (f.projectName ?? '') === projectName && !f.local)
  const module = task && vitest.state.getReportedEntity(task as never)
  return module?.type === 'module' ? module.state() : 'pending'
}

/**
 * Files of a batch the pool did not start because the run is being cancelled (--bail): told to
 * Vitest the way its own pool does for tasks it never ran (`state.cancelFiles`, 4.1 and 5).
 */
export async function cancelFilesInVitest(project: TestProject, files: { filepath: string }[]): Promise<void> {
  const state = (project.vitest as unknown as { state: { cancelFiles?: (files: { filepath: string }[], project: TestProject) => void } }).state
  state.cancelFiles?.(files, project)
}

/** Whether Vitest is cancelling the run (--bail, Ctrl+C): a public getter, missing from its types. */
export function isCancelling(vitest: Vitest): boolean {
  return (vitest as unknown as { isCancelling?: boolean }).isCancelling === true
}

/** An error of the run that belongs to no test, printed and counted by Vitest as its own are (`state.catchError`, 4.1 and 5). */
export function catchErrorInVitest(vitest: Vitest, error: unknown, type: string): void {
  vitest.state.catchError(error, type)
}
