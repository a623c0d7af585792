// What the pool changes in Vitest's `start` request before replaying it to a child: its own
// setup file goes first in `config.setupFiles` (absolute paths, imported by Vitest's worker).
import { fileURLToPath } from 'node:url'

export const TEST_HOOKS_FILE = fileURLToPath(new URL('./test-hooks.js', import.meta.url))

export function withTestHooks<T>(startRequest: T): T {
  const request = startRequest as { context?: { config?: { setupFiles?: string[] } } }
  const config = request.context?.config
  if (!config) return startRequest
  const setupFiles = [TEST_HOOKS_FILE, ...(config.setupFiles ?? []).filter(f => f !== TEST_HOOKS_FILE)]
  return { ...request, context: { ...request.context, config: { ...config, setupFiles } } } as T
}
