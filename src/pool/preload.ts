// In a spare test process: loads the test environment's library (jsdom, happy-dom, ...) while
// the process waits for a file, so the file's own environment setup finds it loaded.
//
// Only module evaluation happens here — the same evaluation Vitest's `import('jsdom')` would run
// at the start of the file, on the same URL (resolved by the pool, see environment-modules.ts).
// No window is created, no global is touched, nothing of the test, its setupFiles or the
// environment's setup runs: those wait for Vitest's `start` and `run`, as in a fresh process.

/** The pool hands the preload over in this variable (JSON `{ globals, modules }`); the child removes it. */
export const PRELOAD_ENV = 'VITEST_MEMORY_PRELOAD'

// Read at load, before Vitest's worker or any test code can see the process's environment.
const preload = takePreload()

/**
 * Reads the globals the environment's setup reads before its import (the same order of side
 * effects as in a fresh process), then starts loading the modules; never throws. A module that
 * fails to load fails the same way when Vitest imports it for the file (Node caches the failure),
 * so the error is reported where it would have been. Resolves when every module is loaded.
 */
export function startPreload(): Promise<void> {
  for (const name of preload.globals) {
    try {
      void (globalThis as Record<string, unknown>)[name]
    } catch {
      // the environment's setup will meet the same error
    }
  }
  return Promise.all(preload.modules.map(url => import(url).catch(() => {}))).then(() => {})
}

function takePreload(): { globals: string[]; modules: string[] } {
  const raw = process.env[PRELOAD_ENV]
  delete process.env[PRELOAD_ENV]
  const strings = (value: unknown) => (Array.isArray(value) ? value.filter((v): v is string => typeof v === 'string') : [])
  try {
    const parsed = raw ? (JSON.parse(raw) as { globals?: unknown; modules?: unknown }) : {}
    return { globals: strings(parsed.globals), modules: strings(parsed.modules) }
  } catch {
    return { globals: [], modules: [] }
  }
}
