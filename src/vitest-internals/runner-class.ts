// Where Vitest keeps its TestRunner class, read from the layout of the `vitest` package a worker
// entry belongs to: its manifest's main entry and the chunk that entry re-exports the class from.
// Runs in the test process (bundled with child.ts) and in the unit test of each installed major.
import { existsSync, readFileSync } from 'node:fs'
import { basename, dirname, join } from 'node:path'
import { pathToFileURL } from 'node:url'

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

/** `export { T as TestRunner, … } from './chunks/x.js'` → { name: 'T', from: './chunks/x.js' } (relative only). */
export function reexportOf(source: string, exported: string): { name: string; from: string } | null {
  for (const match of source.matchAll(/export\s*\{([^}]*)\}\s*from\s*['"](\.{1,2}\/[^'"]+)['"]/g)) {
    for (const part of match[1].split(',')) {
      const [local, alias] = part.trim().split(/\s+as\s+/)
      if ((alias ?? local) === exported && local) return { name: local, from: match[2] }
    }
  }
  return null
}

/** The folder of the `vitest` package that holds `file`, and its manifest. */
function vitestPackageOf(file: string): { root: string; manifest: { exports?: unknown } } | null {
  for (let dir = dirname(file); dir !== dirname(dir); dir = dirname(dir)) {
    const path = join(dir, 'package.json')
    if (!existsSync(path)) continue
    try {
      const manifest = JSON.parse(readFileSync(path, 'utf8')) as { name?: string; exports?: unknown }
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
