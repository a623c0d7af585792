// Which modules a spare process may load ahead for a test environment, so the file handed to it
// only creates the environment (a new window) instead of also loading the library behind it.
//
// Only Vitest's builtin environments qualify: they load their library with a plain dynamic
// `import('jsdom')` inside Vitest's own dist chunk (Vitest 4.1 and 5: the `environments` chunk),
// which Node resolves from that chunk's real path and caches by URL. Importing the very URL Node
// would resolve there, earlier, evaluates the same module once: Vitest's later import finds it.
// A custom environment is loaded through Vite's module runner over RPC, which exists only once
// Vitest's per-file `start` arrived: it cannot be loaded ahead.
import { existsSync, readFileSync, realpathSync, statSync } from 'node:fs'
import { dirname, join, resolve } from 'node:path'
import { pathToFileURL } from 'node:url'

interface BuiltinEnvironment {
  /** The package its setup imports. */
  package: string
  /**
   * Globals its setup reads before that import, in order. Reading one of Node's lazy web globals
   * loads Node's own undici, which installs the global fetch dispatcher: jsdom's undici then keeps
   * it. Loaded the other way round, jsdom's undici would install its own dispatcher for fetch.
   */
  readsFirst: string[]
}

/** What each builtin environment's setup does before creating its window (Vitest 4.1 and 5). */
export const BUILTIN_ENVIRONMENTS: Readonly<Record<string, BuiltinEnvironment>> = {
  jsdom: { package: 'jsdom', readsFirst: ['FormData', 'Blob', 'Request'] },
  'happy-dom': { package: 'happy-dom', readsFirst: [] },
  'edge-runtime': { package: '@edge-runtime/vm', readsFirst: [] },
}

/** What a spare does while it waits, in order: read these globals, then import these file URLs. */
export interface Preload {
  globals: string[]
  modules: string[]
}

const cache = new Map<string, Preload | null>()

/**
 * What to load ahead for `environment`, or null when there is nothing to load (`node`, a custom
 * environment, or a library not installed): its library as Node resolves it from Vitest's dist
 * directory under the conditions the test process runs with.
 */
export function environmentPreload(environment: string | undefined, distPath: string, execArgv: readonly string[] = []): Preload | null {
  const builtin = environment ? BUILTIN_ENVIRONMENTS[environment] : undefined
  if (!builtin) return null
  const conditions = importConditions(execArgv)
  const key = JSON.stringify([builtin.package, distPath, conditions])
  if (!cache.has(key)) {
    const url = resolvePackageImport(builtin.package, realDir(join(distPath, 'chunks')), conditions)
    cache.set(key, url ? { globals: builtin.readsFirst, modules: [url] } : null)
  }
  return cache.get(key)!
}

/** Node's conditions for `import` in a process started with these arguments (`--conditions`, `-C`). */
export function importConditions(execArgv: readonly string[]): string[] {
  const conditions = ['node', 'import']
  // Node 22.10+ resolves "module-sync" for import as well.
  const [major, minor] = process.versions.node.split('.').map(Number)
  if (major > 22 || (major === 22 && minor >= 10)) conditions.push('module-sync')
  for (let i = 0; i < execArgv.length; i++) {
    const arg = execArgv[i]
    const inline = /^(?:--conditions|-C)=(.+)$/.exec(arg)
    if (inline) conditions.push(inline[1])
    else if ((arg === '--conditions' || arg === '-C') && execArgv[i + 1]) conditions.push(execArgv[++i])
  }
  return conditions
}

/**
 * Node's ESM resolution of a bare package specifier from `fromDir`: the nearest
 * node_modules/<pkg>, then its "exports" (the "." entry under `conditions`) or "main".
 * Returns null for anything it does not follow exactly (no package, subpath patterns, a target
 * outside the package): loading nothing ahead is always safe, loading the wrong file is not.
 */
export function resolvePackageImport(pkg: string, fromDir: string, conditions: readonly string[]): string | null {
  for (let dir = fromDir; ; dir = dirname(dir)) {
    const pkgDir = join(dir, 'node_modules', pkg)
    const manifest = join(pkgDir, 'package.json')
    if (existsSync(manifest)) return resolveInPackage(pkgDir, manifest, conditions)
    if (dirname(dir) === dir) return null
  }
}

function resolveInPackage(pkgDir: string, manifestPath: string, conditions: readonly string[]): string | null {
  let manifest: { exports?: unknown; main?: unknown }
  try {
    manifest = JSON.parse(readFileSync(manifestPath, 'utf8'))
  } catch {
    return null
  }
  let target: string | null
  if (manifest.exports !== undefined) {
    target = exportTarget(rootExport(manifest.exports), conditions)
    if (!target?.startsWith('./')) return null
  } else {
    target = typeof manifest.main === 'string' ? manifest.main : 'index.js'
  }
  const candidates = manifest.exports !== undefined ? [target] : [target, `${target}.js`, `${target}/index.js`]
  for (const candidate of candidates) {
    const file = resolve(pkgDir, candidate)
    if (!file.startsWith(pkgDir) || !isFile(file)) continue
    return pathToFileURL(realpathSync(file)).href
  }
  return null
}

/** The "." entry of an "exports" field: a string/array/conditions object is itself the entry. */
function rootExport(exports: unknown): unknown {
  if (exports && typeof exports === 'object' && !Array.isArray(exports)) {
    const keys = Object.keys(exports)
    if (keys.some(k => k.startsWith('.'))) return (exports as Record<string, unknown>)['.']
  }
  return exports
}

/** Follows a conditions object in its own key order, as Node does; the first match wins. */
function exportTarget(entry: unknown, conditions: readonly string[]): string | null {
  if (typeof entry === 'string') return entry
  if (Array.isArray(entry)) {
    for (const item of entry) {
      const target = exportTarget(item, conditions)
      if (target) return target
    }
    return null
  }
  if (entry && typeof entry === 'object') {
    for (const [key, value] of Object.entries(entry)) {
      if (key === 'default' || conditions.includes(key)) {
        const target = exportTarget(value, conditions)
        if (target) return target
      }
    }
  }
  return null
}

function realDir(dir: string): string {
  try {
    return realpathSync(dir)
  } catch {
    return dir
  }
}

function isFile(path: string): boolean {
  try {
    return statSync(path).isFile()
  } catch {
    return false
  }
}
