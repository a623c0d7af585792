// The error every bad input becomes: the CLI prints its message as one line and exits 2.
// Its own module, so any layer can throw it without importing the options resolver.

/** Bad usage or bad input: a flag, an option, an environment variable or a file given to read. */
export const USAGE_EXIT_CODE = 2

/** The prefix every line vitest-memory prints about a problem starts with (added once, by whoever prints). */
export const MESSAGE_PREFIX = 'vitest-memory: '

export class UsageError extends Error {
  constructor(message: string) {
    // A message that already carries the prefix (re-thrown from a lower layer) keeps only one.
    super(message.startsWith(MESSAGE_PREFIX) ? message.slice(MESSAGE_PREFIX.length) : message)
    // Vitest prints a config-load error with console.error: a usage error is its one line, not a stack.
    Object.defineProperty(this, 'stack', { value: `${MESSAGE_PREFIX}${this.message}`, writable: true, configurable: true })
  }
}
UsageError.prototype.name = 'UsageError'

/** An error's message for one line of ours: its first line, without our prefix (the line has it already). */
export function messageOf(error: unknown): string {
  const message = error instanceof Error ? error.message : String(error)
  return message.split('\n')[0].replace(MESSAGE_PREFIX, '')
}

/** Longer values are cut in messages, so a pasted file or a 320-digit number stays readable. */
const MAX_SHOWN = 40

/** A value as it appears in a one-line message: strings quoted (escapes keep it one line), long ones cut. */
export function shown(value: unknown): string {
  if (typeof value === 'string') return JSON.stringify(value.length > MAX_SHOWN ? `${value.slice(0, MAX_SHOWN / 2)}…` : value)
  if (typeof value === 'number' || typeof value === 'boolean' || value === undefined) return String(value)
  if (typeof value === 'function') return 'a function'
  if (typeof value === 'bigint') return `${value}n`
  if (typeof value === 'symbol') return value.toString()
  let text: string | undefined
  try {
    text = JSON.stringify(value)
  } catch {
    // a cycle: fall back to the type
  }
  if (text === undefined) return Object.prototype.toString.call(value)
  return text.length > MAX_SHOWN ? `${text.slice(0, MAX_SHOWN / 2)}…` : text
}
