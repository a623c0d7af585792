// The value checkers the options table (option-table.ts) is built from: each takes a value as the
// config, the environment or the command line gives it, and the label of where it came from, and
// returns it validated or throws a UsageError whose one line names the label, the value and what
// is allowed. `undefined` is unset (the row's default applies); `null` (or `false`) is off.
import { totalmem } from 'node:os'
import { shown, UsageError } from './errors.js'
import { readCgroupLimit } from './measure/machine.js'
import { AUTO_CEILING_SHARE, autoCeiling } from './policy/admission.js'
import { parseSize, SizeError } from './size.js'

/** Spare processes beyond this would hold more memory idle than they could ever save in boot time. */
export const MAX_SPARE_PROCESSES = 16

export function sizeValue(value: unknown, label: string): number {
  try {
    return parseSize(value as string, label)
  } catch (error) {
    if (error instanceof SizeError) throw new UsageError(error.message)
    throw error
  }
}

/** A size, or null when unset or turned off (e.g. VITEST_MEMORY_BUDGET=0, --no-memory-budget). */
export function optionalSize(value: unknown, label: string): number | null {
  return value == null ? null : sizeValue(value, label)
}

/** `maxMemory`: a size or "auto" (any case): a share of the container's limit, else of total memory. */
export function maxMemoryValue(value: unknown, label: string): number | null {
  if (value == null) return null
  if (isAuto(value)) return autoCeiling(readCgroupLimit(), totalmem())
  try {
    return sizeValue(value, label)
  } catch (error) {
    const share = `${Math.round(AUTO_CEILING_SHARE * 100)}%`
    throw new UsageError(`${(error as Error).message.replace(/\.$/, '')}; or "auto" (${share} of the container's memory limit, else of total memory).`)
  }
}

/** `recycleAbove`: a size, "auto" (resolved per project from its worker count), or null: never. */
export function recycleValue(value: unknown, label: string): number | 'auto' | null {
  if (value == null) return null
  return isAuto(value) ? 'auto' : sizeValue(value, label)
}

function isAuto(value: unknown): boolean {
  return typeof value === 'string' && value.trim().toLowerCase() === 'auto'
}

/** "20%" → 0.2. A percentage is required, so "20" cannot be misread as 20× or 20 bytes. */
export function parseIncrease(text: unknown, what = 'increase'): number {
  const match = typeof text === 'string' ? /^\s*(\d+(?:\.\d+)?)\s*%\s*$/.exec(text) : null
  if (!match || !(Number(match[1]) > 0) || !Number.isFinite(Number(match[1]))) {
    throw new UsageError(`Invalid ${what} ${shown(text)}: write a percentage greater than zero, e.g. "20%".`)
  }
  return Number(match[1]) / 100
}

/** `--spare-processes` / VITEST_MEMORY_SPARE_PROCESSES as text: "auto" (any case) or a whole number. */
export function spareProcessesText(text: string, label: string): number | 'auto' {
  if (isAuto(text)) return 'auto'
  if (!/^\s*\d+\s*$/.test(text) || Number(text) > MAX_SPARE_PROCESSES) throw new UsageError(spareMessage(label, text))
  return Number(text)
}

export function spareProcessesValue(value: unknown, label: string): number | 'auto' {
  if (value === 'auto') return value
  if (!Number.isInteger(value) || (value as number) < 0 || (value as number) > MAX_SPARE_PROCESSES) throw new UsageError(spareMessage(label, value))
  return value as number
}

function spareMessage(label: string, value: unknown): string {
  return `Invalid ${label} ${shown(value)}: use a whole number from 0 to ${MAX_SPARE_PROCESSES}, or "auto".`
}

/** One of a few words; `allowed` lists them as the message shows them. */
export function choiceValue<T extends string>(choices: readonly T[]) {
  const allowed =
    choices.length === 2
      ? `"${choices[0]}" or "${choices[1]}"`
      : `${choices
          .slice(0, -1)
          .map(c => `"${c}"`)
          .join(', ')} or "${choices.at(-1)}"`
  return (value: unknown, label: string): T => {
    if (!choices.includes(value as T)) throw new UsageError(`Invalid ${label} ${shown(value)}: use ${allowed}.`)
    return value as T
  }
}

export function booleanValue(value: unknown, label: string): boolean {
  if (typeof value !== 'boolean') throw new UsageError(`Invalid ${label} ${shown(value)}: use true or false.`)
  return value
}

/** A whole number of milliseconds within bounds. */
export function millisecondsValue(min: number, max: number, hint = '') {
  return (value: unknown, label: string): number => {
    if (typeof value !== 'number' || !(value >= min && value <= max)) {
      throw new UsageError(`Invalid ${label} ${shown(value)}: use a number of milliseconds from ${min} to ${max}${hint}.`)
    }
    return value
  }
}

/**
 * A path: a non-empty string; null (and, where `offable`, false) is off; undefined unset. `allowed`
 * says what to write instead.
 */
export function pathValue(allowed: string, offable: boolean) {
  return (value: unknown, label: string): string | null | undefined => {
    if (value === undefined) return undefined
    if (value === null || (value === false && offable)) return null
    if (typeof value !== 'string' || value.trim() === '') throw new UsageError(`Invalid ${label} ${shown(value)}: ${allowed}.`)
    return value
  }
}

/** The HTML report's path must say it is one, wherever it is given (config, flag or environment). */
const HTML_PATH = /\.html?$/i

/** `html`: true (the default path), false/null (off), or a path ending in .html. */
export function htmlValue(value: unknown, label: string): string | true | null {
  if (value == null || value === false) return null
  if (value === true) return true
  if (typeof value !== 'string' || !HTML_PATH.test(value.trim()) || value.trim().length <= '.html'.length) {
    const allowed = label.startsWith('--') ? `write ${label} alone, or ${label}=PATH with a PATH ending in .html` : 'use true, false or a path ending in .html'
    throw new UsageError(`Invalid ${label} ${shown(value)}: ${allowed}.`)
  }
  return value
}

/** Whether a word after `--memory-html` is its PATH (and not a test filter). */
export function looksLikeHtmlPath(text: string): boolean {
  return HTML_PATH.test(text)
}

/** A plain object, as written in a config: not an array, a Map, a class instance or a function. */
function isPlainObject(value: unknown): value is Record<string, unknown> {
  if (typeof value !== 'object' || value === null) return false
  const proto = Object.getPrototypeOf(value)
  return proto === Object.prototype || proto === null
}

/** What a value that is not a plain object is, for a message: `a Map`, or the value itself. */
export function describeValue(value: unknown): string {
  if (typeof value === 'object' && value !== null && !Array.isArray(value) && !isPlainObject(value)) {
    const name = (value as object).constructor?.name
    return name ? `a ${name}` : 'an object with a prototype'
  }
  return shown(value)
}

/** `{ glob: size }` for per-file budgets and limits: a plain object; every glob non-empty, every size valid. */
export function globSizesValue(example: string, entry: string) {
  return (value: unknown, label: string): { glob: string; bytes: number }[] => {
    if (value == null) return []
    if (!isPlainObject(value)) {
      const kind = typeof value === 'object' && !Array.isArray(value) ? ' (a plain object literal)' : ''
      throw new UsageError(`Invalid ${label} ${describeValue(value)}: use an object of globs to sizes${kind}, e.g. { 'test/e2e/**': '${example}' }.`)
    }
    return Object.entries(value).map(([glob, size]) => {
      if (glob.trim() === '')
        throw new UsageError(`Invalid ${label}: a glob is empty (${shown(glob)}); write one relative to the root, e.g. { 'test/e2e/**': '${example}' }.`)
      return { glob, bytes: sizeValue(size, `${entry} for ${shown(glob)}`) }
    })
  }
}

/** `memoryIntensive`: a list of non-empty globs. */
export function globListValue(value: unknown, label: string): string[] {
  if (value == null) return []
  if (!Array.isArray(value) || value.some(g => typeof g !== 'string' || g.trim() === '')) {
    throw new UsageError(`Invalid ${label} ${describeValue(value)}: use a list of globs relative to the root, e.g. ['test/e2e/**'].`)
  }
  return value
}

export { isPlainObject }
