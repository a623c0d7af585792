// The Vite logger the CLI lends to Vite while it loads vitest.config.ts. When memoryPool() refuses
// its options, Vite logs "failed to load config from …" and rethrows; the CLI then prints the
// usage error's own line. That first line told nothing the second does not, so a usage error is
// not logged here: the refusal stays one line. Every other message goes through unchanged.
// (Vitest replaces this logger with its own once the config is loaded, in its plugin's config hook.)
import type { Logger } from 'vite'

type CreateViteLogger = (console: Console, level?: 'info', options?: { allowClearScreen?: boolean }) => Logger

/** A usage error from either module graph (the config is loaded by its own copy of this package). */
function isUsageError(error: unknown): boolean {
  return error instanceof Error && error.name === 'UsageError'
}

export function configLoadLogger(createViteLogger: CreateViteLogger): Logger {
  // 'info': Vite's level before the config names one.
  const logger = createViteLogger(console, 'info', { allowClearScreen: false })
  const error = logger.error.bind(logger)
  logger.error = (message, options) => {
    if (!isUsageError(options?.error)) error(message, options)
  }
  return logger
}
