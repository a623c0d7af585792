// In a spare test process: loads the test environment's library (jsdom, happy-dom, ...) while
// the process waits for a file, so the file's own environment setup finds it loaded.
//
// Only module evaluation happens here — the same evaluation Vitest's `import('jsdom')` would run
// at the start of the file, on the same URL (resolved by the pool, see environment-modules.ts).
// No window is created, no global is touched, nothing of the test, its setupFiles or the
// environment's setup runs: those wait for Vitest's `start` and `run`, as in a fresh process.

/** The pool hands the module URLs over in this variable (JSON array); the child removes it. */
export const PRELOAD_ENV = 'VITEST_MEMORY_PRELOAD'

// Read at load, before Vitest's worker or any test code can see the process's environment.
const urls = takePreloadList()

/**
 * Starts loading the modules; never rejects. A module that fails to load fails the same way when
 * Vitest imports it for the file (Node caches the failure), so the error is reported where it
 * would have been.
 */
export function startPreload(): void {
  for (const url of urls) import(url).catch(() => {})
}

function takePreloadList(): string[] {
  const raw = process.env[PRELOAD_ENV]
  delete process.env[PRELOAD_ENV]
  if (!raw) return []
  try {
    const parsed = JSON.parse(raw) as unknown
    return Array.isArray(parsed) ? parsed.filter((u): u is string => typeof u === 'string') : []
  } catch {
    return []
  }
}
