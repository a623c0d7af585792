// How a path is shown in a message: relative to where the user stands, unless it is elsewhere.
import { relative } from 'node:path'

export function displayPath(path: string, cwd = process.cwd()): string {
  const fromCwd = relative(cwd, path)
  return !fromCwd || fromCwd.startsWith('..') ? path : fromCwd
}

/** Text from an untrusted file, safe on one terminal line: control characters (newlines, escapes) are shown escaped. */
export function printable(text: string, max = 200): string {
  const safe = terminalSafe(text)
  return safe.length > max ? `${safe.slice(0, max)}…` : safe
}

/**
 * A file name (or any text a test file or a report can choose) for the terminal, uncut: an escape
 * sequence or a newline in it is shown as \u001b, \u000a, never played. The one helper the table,
 * `why` and `compare` share.
 */
export function terminalSafe(text: string): string {
  // biome-ignore lint/suspicious/noControlCharactersInRegex: the control characters are what is escaped
  return text.replace(/[\u0000-\u001f\u007f-\u009f\u2028\u2029]/g, c => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`)
}
