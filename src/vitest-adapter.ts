// Everything that leans on how a particular Vitest version works inside lives here.
import { readdirSync, readFileSync } from 'node:fs'
import { createRequire } from 'node:module'
import { dirname, join } from 'node:path'
import { pathToFileURL } from 'node:url'
import type { Reporter, TestModule, TestProject, TestSpecification, Vitest } from 'vitest/node'

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

/** The name of the pool a project runs its files in (a custom pool's `name` in Vitest 4.1 and 5). */
export function projectPoolName(project: { config: { pool: unknown } }): string {
  return String(project.config.pool)
}

interface TagDefinition { name: string, description?: string }

interface RunnerFileTask {
  mode: string
  result?: { state: string }
  tags?: string[]
}

interface RunnerUtils {
  createFileTask: (filepath: string, root: string, projectName: string | undefined, pool?: string, viteEnvironment?: string, meta?: object) => RunnerFileTask
  createTagsFilter: (expressions: string[], defined: TagDefinition[]) => (tags: string[]) => boolean
}

const runnerUtils = new Map<string, Promise<RunnerUtils>>()

/** The major version of the running Vitest (`vitest.version`, e.g. "5.1.1" → 5). */
export function vitestMajor(vitest: Vitest): number {
  return Number.parseInt(String((vitest as { version?: string }).version), 10) || 0
}

/**
 * Vitest's own runner helpers, from the Vitest that is running (its `distPath`), so the versions
 * match and the file ids equal the ones Vitest gives its TestSpecifications.
 * - 4.x: the `@vitest/runner/utils` package Vitest depends on (pnpm does not hoist it).
 * - 5.x: the runner is bundled into Vitest and not exported: `dist/task-utils.js` (unhashed) has
 *   `createFileTask`, and `createTagsFilter` lives in a hashed chunk that exports it by name.
 */
function vitestRunnerUtils(vitest: Vitest): Promise<RunnerUtils> {
  const distPath = (vitest as unknown as VitestInternals).distPath
  let utils = runnerUtils.get(distPath)
  if (!utils) runnerUtils.set(distPath, utils = vitestMajor(vitest) >= 5 ? bundledRunnerUtils(distPath) : packagedRunnerUtils(distPath))
  return utils
}

async function packagedRunnerUtils(distPath: string): Promise<RunnerUtils> {
  const fromVitest = createRequire(join(distPath, '..', 'package.json'))
  return await import(pathToFileURL(fromVitest.resolve('@vitest/runner/utils')).href) as RunnerUtils
}

async function bundledRunnerUtils(distPath: string): Promise<RunnerUtils> {
  const { createFileTask } = await import(pathToFileURL(join(distPath, 'task-utils.js')).href) as Pick<RunnerUtils, 'createFileTask'>
  const chunks = join(distPath, 'chunks')
  for (const name of readdirSync(chunks).filter(n => n.endsWith('.js')).sort()) {
    const alias = /export \{[^}]*\bcreateTagsFilter as ([\w$]+)/.exec(readFileSync(join(chunks, name), 'utf8'))?.[1]
    if (!alias) continue
    const chunk = await import(pathToFileURL(join(chunks, name)).href) as Record<string, unknown>
    if (typeof chunk[alias] === 'function') return { createFileTask, createTagsFilter: chunk[alias] as RunnerUtils['createTagsFilter'] }
  }
  throw new Error(`vitest-memory: no createTagsFilter in ${chunks}; this Vitest version is not supported by the tag gate.`)
}

/** Adds a tag to a project's `tags` unless defined there: before workers start, so `strictTags` accepts it. */
export function ensureTagDefined(config: { tags?: TagDefinition[] }, tag: TagDefinition): void {
  config.tags ??= []
  if (!config.tags.some(t => t.name === tag.name)) config.tags.push({ ...tag })
}

/** Compiles `--tags-filter` expressions with Vitest's own parser; null when Vitest would reject them (it says why itself). */
export async function compileTagsFilter(vitest: Vitest, expressions: string[], defined: TagDefinition[]): Promise<((tags: string[]) => boolean) | null> {
  const { createTagsFilter } = await vitestRunnerUtils(vitest)
  try {
    return createTagsFilter(expressions, defined)
  } catch {
    return null
  }
}

/**
 * A File task as Vitest's worker would create it, with the id of the file's TestSpecification
 * (5.x puts the blob label into the id, passed as `meta`; 4.x takes no meta and ignores it).
 */
async function newFileTask(project: TestProject, filepath: string): Promise<RunnerFileTask> {
  const { createFileTask } = await vitestRunnerUtils(project.vitest)
  const label = (project.config as { mergeReportsLabel?: string }).mergeReportsLabel
  return createFileTask(filepath, project.config.root, project.config.name, String(project.config.pool), undefined, { __vitest_label__: label })
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
  else throw new Error('vitest-memory: this Vitest version has no way to report a file that was not started; run without --skip-memory-intensive/--only-memory-intensive.')
}

/**
 * The main process's File task of a test file, or undefined. `state.filesMap` (file path → one File
 * per project) is internal to Vitest but present in 4.1 and 5; data put on the task's `meta` travels
 * with the blob reporter and `--merge-reports`.
 */
export function findFileTask(vitest: Vitest, project: string, file: string): { meta: Record<string, unknown> } | undefined {
  const state = (vitest as unknown as { state?: { filesMap?: Map<string, { projectName?: string, meta: Record<string, unknown> }[]> } }).state
  return state?.filesMap?.get(file)?.find(task => (task.projectName ?? '') === project)
}

/** `--shard i/n` of this run as "i/n", or null. */
export function shardLabel(vitest: Vitest): string | null {
  const shard = (vitest.config as { shard?: { index: number, count: number } }).shard
  return shard ? `${shard.index}/${shard.count}` : null
}

// ---- A file whose process died: made a failed file by Vitest itself (4.1: TestRun, StateManager) ----

interface TaskResult { state: string, errors?: unknown[], duration?: number, startTime?: number }
interface RunnerTask { id: string, type: 'suite' | 'test', mode: string, name: string, filepath?: string, projectName?: string, local?: boolean, result?: TaskResult, meta: object, tasks?: RunnerTask[] }
interface VitestInternals {
  distPath: string
  state: { filesMap: Map<string, RunnerTask[]>, idMap: Map<string, RunnerTask> }
  _testRun: {
    enqueued(project: TestProject, file: RunnerTask): Promise<void>
    updated(packs: [string, TaskResult | undefined, object][], events: [string, string, undefined][]): Promise<void>
  }
}

export interface SerializedError { name: string, message: string, stack: string }

function internals(project: TestProject): VitestInternals {
  return project.vitest as unknown as VitestInternals
}

function fileTaskOf(project: TestProject, filepath: string): RunnerTask | undefined {
  return internals(project).state.filesMap.get(filepath)?.find(f => f.projectName === project.config.name && !f.local)
}

/**
 * Reports a test as started, as the worker's own update would have, unless Vitest already has it
 * started or settled: the worker throttles its updates, and a process killed mid-test may never
 * have sent that one.
 */
export async function startTestInVitest(project: TestProject, testId: string, startTime: number): Promise<void> {
  const vitest = internals(project)
  const test = vitest.state.idMap.get(testId)
  if (!test || test.type !== 'test' || (test.result && test.result.state !== 'queued')) return
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
    file = await newFileTask(project, filepath) as unknown as RunnerTask
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
  await internals(project)._testRun.updated([[file.id, file.result, file.meta]], []).catch(() => {})
}

/**
 * `--bail N` counts failed tasks in Vitest's worker after each failed test; a file failed by its
 * memory has no failed test there, so the pool applies the same rule when it fails one (the file
 * is in Vitest's state as failed by then, so it counts itself).
 */
export function bailAfterMemoryFailure(project: TestProject): void {
  const vitest = project.vitest as unknown as { config: { bail?: number }, state: { getCountOfFailedTests(): number }, cancelCurrentRun?: (reason: string) => Promise<void> }
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
 * Whether a `test.pool` value is the custom pool called `name`. Vitest 5 hands plugins a copy of
 * the user config that has lost symbol keys, so only the name identifies the pool there.
 */
export function isPoolNamed(pool: unknown, name: string): boolean {
  return typeof pool === 'object' && pool !== null && (pool as { name?: unknown }).name === name
}

/**
 * Whether a test module ran on the pool called `name`: its project's pool, unless it is a
 * `--typecheck` file, which Vitest always runs in its own typescript pool (marked by
 * `task.meta.typecheck` in 4.1 and 5).
 */
export function ranOnPool(module: TestModule, name: string): boolean {
  // `task` is internal to Vitest (not in its types) but present in 4.1 and 5.
  const meta = (module as unknown as { task?: { meta?: { typecheck?: boolean } } }).task?.meta
  return projectPoolName(module.project) === name && meta?.typecheck !== true
}

/**
 * Whether the project's own config (or the command line) names a pool. A project defined by its
 * own config file does not inherit the root's `pool`; the raw `test` of its Vite config says what
 * its author wrote, where the resolved config only holds the default ('forks').
 */
export function namesOwnPool(project: TestProject): boolean {
  // Vitest 5 records it (`providedOptions`), and fills the raw config with its defaults.
  const provided = (project.config as unknown as { providedOptions?: { pool?: boolean } }).providedOptions?.pool
  if (provided !== undefined) return provided
  return (project.vite.config as { test?: { pool?: unknown } }).test?.pool !== undefined
}

/** Runs the project's files on a custom pool, as Vitest resolves a `test.pool` object (4.1 and 5). */
export function adoptPool(project: TestProject, initializer: { name: string }): void {
  const config = project.config as unknown as { pool: string, poolRunner?: unknown }
  config.pool = initializer.name
  config.poolRunner = initializer
}

/** A specification's pool is chosen when it is created; a project adopted later needs its specs moved too. */
export function moveSpecToPool(spec: TestSpecification, name: string): void {
  (spec as unknown as { pool: string }).pool = name
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

// ---- Vitest's command line: its own option definitions (cac), to refuse what `vitest` refuses ----

export interface CacOption {
  rawName: string
  /** The camelCased key the value is stored under. */
  name: string
  /** `--flag <value>`: a value must be given. */
  required?: boolean
}
export interface CacCommand {
  options: CacOption[]
  hasOption(name: string): unknown
  /** Throws when an option that needs a value was given none (`--project` at the end). */
  checkOptionValue(): void
}
/** The cac instance Vitest's `createCLI()` builds: every option `vitest` knows, and its parser. */
export interface VitestCac {
  parse(argv: string[], options: { run: boolean }): { args: string[], options: Record<string, unknown> }
  globalCommand: CacCommand
  matchedCommand?: CacCommand
}

let createCliLoader: Promise<(() => VitestCac) | null> | undefined

/**
 * Vitest's `createCLI`, or null when this Vitest keeps it out of reach. 5.x exports it from
 * `vitest/node`; 4.1 does not, but its unhashed `dist/cli.js` imports it by name from a hashed chunk.
 */
export function vitestCreateCLI(): Promise<(() => VitestCac) | null> {
  createCliLoader ??= (async () => {
    const node = await import('vitest/node') as { createCLI?: () => VitestCac }
    if (typeof node.createCLI === 'function') return node.createCLI
    try {
      const dist = join(dirname(createRequire(import.meta.url).resolve('vitest/package.json')), 'dist')
      const cli = readFileSync(join(dist, 'cli.js'), 'utf8')
      const [, alias, chunk] = /import\s*\{[^}]*?\b([\w$]+) as createCLI\b[^}]*\}\s*from\s*'(\.\/chunks\/[^']+)'/.exec(cli) ?? []
      if (!alias) return null
      const exports = await import(pathToFileURL(join(dist, chunk)).href) as Record<string, unknown>
      return typeof exports[alias] === 'function' ? exports[alias] as () => VitestCac : null
    } catch {
      return null
    }
  })()
  return createCliLoader
}
