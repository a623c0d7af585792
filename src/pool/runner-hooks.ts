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
import { existsSync, readFileSync } from 'node:fs'
import { basename, dirname, join } from 'node:path'
import { pathToFileURL } from 'node:url'
import { testFinished, testStarted, type MeasuredTest } from './test-memory.js'

const SETUP_FILE_KEY = Symbol.for('vitest-memory.measured-by-setup-file')
const PATCHED_KEY = Symbol.for('vitest-memory.runner-patched')

type TryHook = (this: unknown, test: MeasuredTest, options: unknown) => unknown

/** Where Vitest's TestRunner class is loaded from (testRunnerSource). */
export interface TestRunnerSource {
  /** File URL of the module to import. */
  url: string
  /** The name the module exports the class under. */
  exportName: string
  /**
   * The worker entry imports this module itself: imported after the worker, it is already loaded
   * (no file is read, so no message reaches the worker in between). Else it is imported first.
   */
  loadedByWorker: boolean
}

/**
 * Where the `vitest` package that holds `workerEntry` keeps `TestRunner`. Its main entry re-exports
 * the class from a chunk the worker entry imports too: importing the whole main entry before the
 * worker added ~13 ms to every process's start, and a second module graph loaded before the
 * worker's another ~6 ms (measured in the child, 30 starts each); the chunk taken after the worker
 * costs ~0.2 ms. Without such a chunk, the main entry itself. Null when there is no `vitest` package.
 */
export function testRunnerSource(workerEntry: string): TestRunnerSource | null {
  try {
    return locateTestRunner(workerEntry)
  } catch {
    // an unreadable package: no per-test figures, as when the class is not found
    return null
  }
}

function locateTestRunner(workerEntry: string): TestRunnerSource | null {
  const vitest = vitestPackageOf(workerEntry)
  if (!vitest) return null
  const { root, manifest } = vitest
  const main = importTarget((manifest.exports as Record<string, unknown> | undefined)?.['.'])
  if (!main) return null
  const mainFile = join(root, main)
  const reexport = reexportOf(readFileSync(mainFile, 'utf8'), 'TestRunner')
  if (reexport) {
    const chunk = join(dirname(mainFile), reexport.from)
    const entrySource = readFileSync(workerEntry, 'utf8')
    const entryImports = [`/${basename(chunk)}'`, `/${basename(chunk)}"`].some(end => entrySource.includes(end))
    if (entryImports) return { url: pathToFileURL(chunk).href, exportName: reexport.name, loadedByWorker: true }
  }
  return { url: pathToFileURL(mainFile).href, exportName: 'TestRunner', loadedByWorker: false }
}

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
    if (inherited instanceof Promise) return inherited.then(() => bySetupFile() ? undefined : testFinished(test))
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
  result?: { state: string, errors?: unknown[] }
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
  (globalThis as { [SETUP_FILE_KEY]?: boolean })[SETUP_FILE_KEY] = true
}

function bySetupFile(): boolean {
  return (globalThis as { [SETUP_FILE_KEY]?: boolean })[SETUP_FILE_KEY] === true
}

async function testRunnerClass(source: TestRunnerSource): Promise<(new (...args: never[]) => unknown) | null> {
  const module = await import(source.url).catch(() => null) as Record<string, unknown> | null
  const found = module?.[source.exportName]
  return typeof found === 'function' ? found as new () => unknown : null
}

/** `export { T as TestRunner, … } from './chunks/x.js'` → { name: 'T', from: './chunks/x.js' } (relative only). */
export function reexportOf(source: string, exported: string): { name: string, from: string } | null {
  for (const match of source.matchAll(/export\s*\{([^}]*)\}\s*from\s*['"](\.{1,2}\/[^'"]+)['"]/g)) {
    for (const part of match[1].split(',')) {
      const [local, alias] = part.trim().split(/\s+as\s+/)
      if ((alias ?? local) === exported && local) return { name: local, from: match[2] }
    }
  }
  return null
}

/** The folder of the `vitest` package that holds `file`, and its manifest. */
function vitestPackageOf(file: string): { root: string, manifest: { exports?: unknown } } | null {
  for (let dir = dirname(file); dir !== dirname(dir); dir = dirname(dir)) {
    const path = join(dir, 'package.json')
    if (!existsSync(path)) continue
    try {
      const manifest = JSON.parse(readFileSync(path, 'utf8')) as { name?: string, exports?: unknown }
      if (manifest.name === 'vitest') return { root: dir, manifest }
    } catch {}
  }
  return null
}

/** The file an ESM `import` of an `exports` entry loads (conditions `import`, then `default`). */
function importTarget(entry: unknown): string | null {
  if (typeof entry === 'string') return entry
  if (!entry || typeof entry !== 'object') return null
  const conditions = entry as Record<string, unknown>
  for (const key of ['import', 'node', 'default']) {
    const found = importTarget(conditions[key])
    if (found) return found
  }
  return null
}
