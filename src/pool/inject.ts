// What the pool changes in Vitest's `start` request before replaying it to a child. Per-test
// peaks normally come from Vitest's own runner (runner-hooks.ts) and nothing changes; a project
// that names its own `runner` may not extend Vitest's, so its tests get per-test hooks from a
// setup file that goes first in `config.setupFiles` (absolute paths, imported by Vitest's worker).
//
// The hooks must be registered for every test file, and Vitest re-runs setup files for each file
// (with isolate: false too) — but a setup file inside node_modules is loaded natively by Node and
// cached, so its code runs once per process. The setup file is therefore a one-line module outside
// node_modules, which Vitest evaluates per file, calling the (cached) hooks module each time. It
// lives in the project's .vitest-memory/ folder: Vite serves a browser-like environment (jsdom)
// only files inside the workspace, so the system's temp folder will not do.
import { createHash } from 'node:crypto'
import { mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { fileURLToPath, pathToFileURL } from 'node:url'

export const TEST_HOOKS_MODULE = fileURLToPath(new URL('./test-hooks.js', import.meta.url))

const entries = new Map<string, string>()

/**
 * The one-line setup file under `root`, written once per runner process (its name carries its
 * content's hash); the hooks module itself when it cannot be written.
 */
export function testHooksSetupFile(root: string): string {
  const known = entries.get(root)
  if (known) return known
  const source = `// vitest-memory: registers the per-test hooks for the test file being collected.\nimport { registerTestHooks } from ${JSON.stringify(pathToFileURL(TEST_HOOKS_MODULE).href)}\nregisterTestHooks()\n`
  const hash = createHash('sha256').update(source).digest('hex').slice(0, 16)
  const dir = join(root, '.vitest-memory')
  const path = join(dir, `test-hooks-${hash}.mjs`)
  let current: string | null = null
  try {
    current = readFileSync(path, 'utf8')
  } catch {}
  if (current !== source) {
    try {
      mkdirSync(dir, { recursive: true })
      // Written to a temporary name first: another run may be reading the same file.
      const temp = `${path}.${process.pid}.tmp`
      writeFileSync(temp, source)
      renameOver(temp, path)
    } catch {
      // A read-only project: the hooks still work where the package is not cached natively.
      entries.set(root, TEST_HOOKS_MODULE)
      return TEST_HOOKS_MODULE
    }
  }
  entries.set(root, path)
  return path
}

function renameOver(from: string, to: string): void {
  // renameSync replaces atomically on POSIX; on Windows a reader may hold it: then keep the old one.
  try {
    renameSync(from, to)
  } catch {
    rmSync(from, { force: true })
  }
}

/** `always`: vm mode, where each file's context loads its own runner and only a setup file reaches its tests. */
export function withTestHooks<T>(startRequest: T, always = false): T {
  const request = startRequest as { context?: { config?: { setupFiles?: string[]; root?: string; runner?: string } } }
  const config = request.context?.config
  if (!config || (!config.runner && !always)) return startRequest
  const hooks = testHooksSetupFile(config.root ?? process.cwd())
  const setupFiles = [hooks, ...(config.setupFiles ?? []).filter(f => f !== hooks)]
  return { ...request, context: { ...request.context, config: { ...config, setupFiles } } } as T
}
