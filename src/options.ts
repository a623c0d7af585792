// Resolves config + environment + CLI flags into one validated options object.
// Precedence: flag > env > config. Every bad value is a UsageError with one line that says what to fix.
import { resolve } from 'node:path'
import { OPTIONS } from './option-table.js'
import { totalmem } from 'node:os'
import { envSwitch, SWITCH_VALUES } from './env.js'
import { shown, UsageError } from './errors.js'
import { readCgroupLimit } from './measure/machine.js'
import { AUTO_CEILING_SHARE, autoCeiling } from './policy/admission.js'
import { DEFAULT_RETAINED_ABOVE } from './policy/retained.js'
import { parseSize, SizeError } from './size.js'

// Modules that throw usage errors used to import them from here.
export { UsageError } from './errors.js'

import type { BudgetMode, MemoryIntensiveMode, MemoryPoolOptions, HeapProfileMode, ResolvedMemoryOptions, OptionLayer } from './option-types.js'
export type { BudgetMode, MemoryIntensiveMode, MemoryPoolOptions, SharedBudget, HeapProfileMode, ResolvedMemoryOptions, OptionLayer } from './option-types.js'

/**
 * Vitest's own pool runner gives a worker 60 s to answer "started" (START_TIMEOUT in its pool
 * runner); the memory pool answers Vitest at once and holds its child to the same bound.
 */
export const DEFAULT_START_TIMEOUT_MS = 60_000

/** The keys memoryPool() accepts: those of the one options table (src/option-table.ts). */
const KNOWN_KEYS = OPTIONS.map(option => option.key) as (keyof MemoryPoolOptions)[]

export const DEFAULT_REPORT_PATH = '.vitest-memory/report.json'
export const DEFAULT_HISTORY_PATH = '.vitest-memory/history.json'
export const DEFAULT_HTML_PATH = '.vitest-memory/report.html'
export const DEFAULT_FAIL_ON_INCREASE = '20%'
export const DEFAULT_MIN_DELTA = '20MB'
export const DEFAULT_JOURNAL_PATH = '.vitest-memory/journal.jsonl'

/**
 * Options read from VITEST_MEMORY_* environment variables. An empty variable is unset. Every
 * variable reads the same words as on/off (see envSwitch): off turns the option off even when
 * the config sets it; a variable that only switches says so when given anything else.
 */
export function optionsFromEnv(env: NodeJS.ProcessEnv = process.env): OptionLayer {
  const fromEnv: OptionLayer = {}
  const read = (name: string): string | undefined => (env[name] ?? '').trim() === '' ? undefined : env[name]
  /** A value that is off (null) or something else: a size, a mode. */
  const value = (name: string): string | null | undefined => {
    const text = read(name)
    return text === undefined ? undefined : envSwitch(text) === 'off' ? null : text
  }
  /** A path (or off); an on-word has no path in it. */
  const path = (name: string, example: string): string | null | undefined => {
    const text = value(name)
    if (text != null && envSwitch(text) === 'on') throw new UsageError(`Invalid ${name} ${shown(text)}: give a path, e.g. ${shown(example)}, or 0 to turn it off.`)
    return text
  }
  const set = <K extends keyof MemoryPoolOptions>(key: K, v: OptionLayer[K] | undefined): void => {
    if (v !== undefined) fromEnv[key] = v
  }
  set('budget', value('VITEST_MEMORY_BUDGET'))
  set('budgetMode', read('VITEST_MEMORY_BUDGET_MODE') as BudgetMode | undefined)
  const report = read('VITEST_MEMORY_REPORT')
  if (report !== undefined && envSwitch(report) !== null) {
    throw new UsageError(`Invalid VITEST_MEMORY_REPORT ${shown(report)}: the JSON report cannot be turned off; give a path, e.g. "${DEFAULT_REPORT_PATH}".`)
  }
  set('report', report)
  // History and journal: on is their default path, off keeps none.
  const history = read('VITEST_MEMORY_HISTORY')
  if (history !== undefined) set('history', envSwitch(history) === 'off' ? false : envSwitch(history) === 'on' ? undefined : history)
  const journal = read('VITEST_MEMORY_JOURNAL')
  if (journal !== undefined) set('journal', envSwitch(journal) === 'off' ? false : envSwitch(journal) === 'on' ? undefined : journal)
  set('memoryIntensiveAbove', value('VITEST_MEMORY_INTENSIVE_ABOVE'))
  const mode = intensiveModeFromEnv(env)
  if (mode) set('memoryIntensiveMode', mode)
  set('maxMemory', value('VITEST_MEMORY_MAX_MEMORY'))
  const spares = read('VITEST_MEMORY_SPARE_PROCESSES')
  if (spares !== undefined) set('spareProcesses', envSwitch(spares) === 'off' ? 0 : spareProcessesValue(spares, 'VITEST_MEMORY_SPARE_PROCESSES'))
  if (read('VITEST_MEMORY_DETECT_LEAKS') !== undefined) set('detectLeaks', envFlag(env, 'VITEST_MEMORY_DETECT_LEAKS'))
  if (read('VITEST_MEMORY_ANNOTATIONS') !== undefined) set('annotations', envFlag(env, 'VITEST_MEMORY_ANNOTATIONS'))
  const heapProfile = value('VITEST_MEMORY_HEAP_PROFILE')
  set('heapProfile', heapProfile != null && envSwitch(heapProfile) === 'on' ? 'over-budget' : heapProfile as HeapProfileMode | null | undefined)
  const html = value('VITEST_MEMORY_HTML')
  set('html', html == null ? (html === null ? false : undefined) : envSwitch(html) === 'on' || html)
  set('markdown', path('VITEST_MEMORY_MARKDOWN', 'memory.md'))
  set('compareTo', path('VITEST_MEMORY_COMPARE_TO', 'base/report.json'))
  set('memoryLimit', value('VITEST_MEMORY_LIMIT'))
  set('recycleAbove', value('VITEST_MEMORY_RECYCLE_ABOVE'))
  return fromEnv
}

/** A variable that only switches something on or off. */
function envFlag(env: NodeJS.ProcessEnv, name: string): boolean {
  const text = env[name] ?? ''
  if (text.trim() === '') return false
  const on = envSwitch(text)
  if (on === null) throw new UsageError(`Invalid ${name} ${shown(text)}: ${SWITCH_VALUES}.`)
  return on === 'on'
}

/** `--spare-processes` / VITEST_MEMORY_SPARE_PROCESSES: "auto" (any case) or a whole number. */
export function spareProcessesValue(value: string, label: string): number | 'auto' {
  return value.trim().toLowerCase() === 'auto' ? 'auto' : parseCount(value, label)
}

/** "3" → 3: a count of processes, from a flag or a variable. */
export function parseCount(text: string, label: string): number {
  if (!/^\s*\d+\s*$/.test(text) || Number(text) > MAX_SPARE_PROCESSES) throw new UsageError(`Invalid ${label} ${shown(text)}: use a whole number from 0 to ${MAX_SPARE_PROCESSES}, or "auto".`)
  return Number(text)
}

/** "20%" → 0.2. A percentage is required, so "20" cannot be misread as 20× or 20 bytes. */
export function parseIncrease(text: unknown, what = 'increase'): number {
  const match = typeof text === 'string' ? /^\s*(\d+(?:\.\d+)?)\s*%\s*$/.exec(text) : null
  if (!match || !(Number(match[1]) > 0) || !Number.isFinite(Number(match[1]))) {
    throw new UsageError(`Invalid ${what} ${shown(text)}: write a percentage greater than zero, e.g. "20%".`)
  }
  return Number(match[1]) / 100
}

/** Spare processes beyond this would hold more memory idle than they could ever save in boot time. */
const MAX_SPARE_PROCESSES = 16

function sizeOption(value: unknown, what: string): number {
  try {
    return parseSize(value as string, what)
  } catch (error) {
    if (error instanceof SizeError) throw new UsageError(error.message)
    throw error
  }
}

/** A size, or null when unset (undefined) or turned off (null, e.g. VITEST_MEMORY_BUDGET=0). */
function optionalSize(value: unknown, what: string): number | null {
  return value == null ? null : sizeOption(value, what)
}

/** `maxMemory`: a size or "auto" (any case). */
function maxMemoryOption(value: unknown, what: string): number | null {
  if (value == null) return null
  if (typeof value === 'string' && value.trim().toLowerCase() === 'auto') return autoCeiling(readCgroupLimit(), totalmem())
  try {
    return sizeOption(value, what)
  } catch (error) {
    const share = `${Math.round(AUTO_CEILING_SHARE * 100)}%`
    throw new UsageError(`${(error as Error).message.replace(/\.$/, '')}; or "auto" (${share} of the container's memory limit, else of total memory).`)
  }
}

/** A path option: a non-empty string, or (where allowed) false/null for off. */
function pathOption(value: unknown, what: string, allowed: string): string | null {
  if (value == null || value === false) {
    if (value === false && !allowed.includes('false')) throw new UsageError(`Invalid ${what} false: ${allowed}.`)
    return null
  }
  if (typeof value !== 'string' || value.trim() === '') throw new UsageError(`Invalid ${what} ${shown(value)}: ${allowed}.`)
  return value
}

/** `{ glob: size }` for per-file budgets and limits. */
function globSizes(value: unknown, what: string, example: string, entry: string): { glob: string, bytes: number }[] {
  if (value == null) return []
  if (typeof value !== 'object' || Array.isArray(value)) {
    throw new UsageError(`Invalid ${what} ${shown(value)}: use an object of globs to sizes, e.g. { 'test/e2e/**': '${example}' }.`)
  }
  return Object.entries(value as Record<string, unknown>).map(([glob, size]) => ({ glob, bytes: sizeOption(size, `${entry} for ${shown(glob)}`) }))
}

/** Checks a `memoryPool()` argument early, so a typo fails at config load, not mid-run. */
export function validateConfigOptions(options: MemoryPoolOptions, cli: OptionLayer = {}, env: OptionLayer = optionsFromEnv()): void {
  if (typeof options !== 'object' || options === null || Array.isArray(options)) {
    throw new UsageError(`Invalid memoryPool() argument ${shown(options)}: pass an object of options, e.g. memoryPool({ budget: '1GB' }).`)
  }
  for (const key of Object.keys(options)) {
    if (!KNOWN_KEYS.includes(key as keyof MemoryPoolOptions)) {
      throw new UsageError(`Unknown vitest-memory option ${shown(key)}: known options are ${KNOWN_KEYS.join(', ')}.`)
    }
  }
  resolveOptions(options, env, cli, process.cwd())
}

const LABELS: Partial<Record<keyof MemoryPoolOptions, [flag: string, env: string]>> = {
  budget: ['--memory-budget', 'VITEST_MEMORY_BUDGET'],
  budgetMode: ['--memory-budget-warn', 'VITEST_MEMORY_BUDGET_MODE'],
  report: ['--memory-report', 'VITEST_MEMORY_REPORT'],
  history: ['--memory-history', 'VITEST_MEMORY_HISTORY'],
  memoryIntensiveAbove: ['--memory-intensive-above', 'VITEST_MEMORY_INTENSIVE_ABOVE'],
  memoryIntensiveMode: ['--skip-memory-intensive / --only-memory-intensive', 'VITEST_MEMORY_SKIP_INTENSIVE / VITEST_MEMORY_ONLY_INTENSIVE'],
  maxMemory: ['--max-memory', 'VITEST_MEMORY_MAX_MEMORY'],
  spareProcesses: ['--spare-processes', 'VITEST_MEMORY_SPARE_PROCESSES'],
  detectLeaks: ['--detect-leaks', 'VITEST_MEMORY_DETECT_LEAKS'],
  heapProfile: ['--heap-profile', 'VITEST_MEMORY_HEAP_PROFILE'],
  html: ['--memory-html', 'VITEST_MEMORY_HTML'],
  markdown: ['--memory-markdown', 'VITEST_MEMORY_MARKDOWN'],
  compareTo: ['--compare-to', 'VITEST_MEMORY_COMPARE_TO'],
  failOnIncrease: ['--fail-on-increase', 'failOnIncrease'],
  minDelta: ['--min-delta', 'minDelta'],
  memoryLimit: ['--memory-limit', 'VITEST_MEMORY_LIMIT'],
  journal: ['--memory-journal', 'VITEST_MEMORY_JOURNAL'],
  annotations: ['annotations', 'VITEST_MEMORY_ANNOTATIONS'],
  recycleAbove: ['--recycle-above', 'VITEST_MEMORY_RECYCLE_ABOVE'],
  retainedAbove: ['--retained-above', 'retainedAbove'],
  sharedBudget: ['--shared-budget', 'sharedBudget'],
}

/** Every VITEST_MEMORY_* variable an option reads, for help texts. */
export function environmentVariables(): string[] {
  return Object.values(LABELS).flatMap(([, env]) => env.split(' / ')).filter(name => name.startsWith('VITEST_MEMORY_'))
}

/** Names the place a value came from, so an error points at what to fix. */
function sourceLabel(key: keyof MemoryPoolOptions, env: OptionLayer, cli: OptionLayer): string {
  const [flag, envName] = LABELS[key] ?? [key, key]
  if (cli[key] !== undefined) return flag
  if (env[key] !== undefined) return envName
  return `memoryPool({ ${key} })`
}

export function resolveOptions(
  config: MemoryPoolOptions,
  env: OptionLayer,
  cli: OptionLayer,
  root: string,
): ResolvedMemoryOptions {
  const merged: OptionLayer = { ...config, ...env, ...cli }
  const label = (key: keyof MemoryPoolOptions) => sourceLabel(key, env, cli)
  const budgetMode = merged.budgetMode ?? 'fail'
  if (budgetMode !== 'fail' && budgetMode !== 'warn') {
    throw new UsageError(`Invalid ${label('budgetMode')} ${shown(budgetMode)}: use "fail" or "warn".`)
  }
  const top = merged.top ?? 10
  if (!Number.isInteger(top) || top < 1) throw new UsageError(`Invalid ${label('top')} ${shown(top)}: use a whole number of at least 1.`)
  const sampleIntervalMs = merged.sampleIntervalMs ?? 50
  if (typeof sampleIntervalMs !== 'number' || !(sampleIntervalMs >= 5 && sampleIntervalMs <= 5000)) {
    throw new UsageError(`Invalid ${label('sampleIntervalMs')} ${shown(sampleIntervalMs)}: use a number of milliseconds from 5 to 5000.`)
  }
  const startTimeoutMs = merged.startTimeout ?? DEFAULT_START_TIMEOUT_MS
  if (typeof startTimeoutMs !== 'number' || !(startTimeoutMs >= 100 && startTimeoutMs <= 3_600_000)) {
    throw new UsageError(`Invalid ${label('startTimeout')} ${shown(startTimeoutMs)}: use a number of milliseconds from 100 to 3600000 (default ${DEFAULT_START_TIMEOUT_MS}).`)
  }
  if (merged.annotations != null && typeof merged.annotations !== 'boolean') {
    throw new UsageError(`Invalid ${label('annotations')} ${shown(merged.annotations)}: use true or false.`)
  }
  const annotations = merged.annotations ?? true
  const spareProcesses = merged.spareProcesses ?? 'auto'
  if (spareProcesses !== 'auto' && (!Number.isInteger(spareProcesses) || spareProcesses < 0 || spareProcesses > MAX_SPARE_PROCESSES)) {
    throw new UsageError(`Invalid ${label('spareProcesses')} ${shown(spareProcesses)}: use a whole number from 0 to ${MAX_SPARE_PROCESSES}, or "auto".`)
  }
  const heapProfile = merged.heapProfile ?? null
  if (heapProfile !== null && heapProfile !== 'over-budget' && heapProfile !== 'all' && heapProfile !== 'peak') {
    throw new UsageError(`Invalid ${label('heapProfile')} ${shown(heapProfile)}: use "peak", "over-budget" or "all".`)
  }
  if (merged.detectLeaks != null && typeof merged.detectLeaks !== 'boolean') {
    throw new UsageError(`Invalid ${label('detectLeaks')} ${shown(merged.detectLeaks)}: use true or false.`)
  }
  const html = merged.html ?? null
  if (html !== null && typeof html !== 'boolean' && (typeof html !== 'string' || html.trim() === '')) {
    throw new UsageError(`Invalid ${label('html')} ${shown(html)}: use true, false or a path ending in .html.`)
  }
  const reportPath = pathOption(merged.report, label('report'), `use a path (a string), e.g. "${DEFAULT_REPORT_PATH}"`)
  const historyPath = pathOption(merged.history, label('history'), 'use a path (a string) or false')
  const journalPath = pathOption(merged.journal, label('journal'), 'use a path (a string) or false')
  const markdownPath = pathOption(merged.markdown, label('markdown'), 'use a path (a string), e.g. "memory.md"')
  const compareTo = pathOption(merged.compareTo, label('compareTo'), 'use the path of a saved report.json (a string)')
  return {
    detectLeaks: merged.detectLeaks ?? false,
    heapProfile,
    budgetBytes: optionalSize(merged.budget, label('budget')),
    budgets: globSizes(merged.budgets, label('budgets'), '2GB', 'budget'),
    budgetMode,
    reportPath: resolve(root, reportPath ?? DEFAULT_REPORT_PATH),
    top,
    sampleIntervalMs,
    startTimeoutMs,
    annotations,
    maxMemoryBytes: maxMemoryOption(merged.maxMemory, label('maxMemory')),
    spareProcesses,
    historyPath: merged.history === false || merged.history === null ? null : resolve(root, historyPath ?? DEFAULT_HISTORY_PATH),
    ...resolveIntensiveOptions(merged, label),
    htmlPath: !html ? null : resolve(root, html === true ? DEFAULT_HTML_PATH : html),
    markdownPath: markdownPath ? resolve(root, markdownPath) : null,
    compareTo: compareTo ? resolve(root, compareTo) : null,
    failOnIncrease: parseIncrease(merged.failOnIncrease ?? DEFAULT_FAIL_ON_INCREASE, label('failOnIncrease')),
    minDeltaBytes: sizeOption(merged.minDelta ?? DEFAULT_MIN_DELTA, label('minDelta')),
    limitBytes: optionalSize(merged.memoryLimit, label('memoryLimit')),
    limits: globSizes(merged.limits, label('limits'), '4GB', 'limit'),
    journalPath: merged.journal === false || merged.journal === null ? null : resolve(root, journalPath ?? DEFAULT_JOURNAL_PATH),
    askedFor: { report: reportPath != null, history: historyPath != null, journal: journalPath != null },
    ...resolveSharedOptions(merged, label),
  }
}

/** The options of shared processes (isolate: false). */
function resolveSharedOptions(merged: OptionLayer, label: (key: keyof MemoryPoolOptions) => string) {
  const sharedBudget = merged.sharedBudget ?? 'added'
  if (sharedBudget !== 'added' && sharedBudget !== 'absolute') {
    throw new UsageError(`Invalid ${label('sharedBudget')} ${shown(sharedBudget)}: use "added" or "absolute".`)
  }
  const recycleAbove = merged.recycleAbove
  if (merged.vm != null && typeof merged.vm !== 'boolean') throw new UsageError(`Invalid ${label('vm')} ${shown(merged.vm)}: use true or false.`)
  return {
    vm: merged.vm ?? false,
    recycleAbove: recycleAbove == null ? null
      : typeof recycleAbove === 'string' && recycleAbove.trim().toLowerCase() === 'auto' ? 'auto' as const
      : sizeOption(recycleAbove, label('recycleAbove')),
    retainedAboveBytes: sizeOption(merged.retainedAbove ?? DEFAULT_RETAINED_ABOVE, label('retainedAbove')),
    sharedBudget,
  }
}

/** The memory_intensive options: tag globs, the history threshold and the lane. */
function resolveIntensiveOptions(merged: OptionLayer, label: (key: keyof MemoryPoolOptions) => string) {
  const globs = merged.memoryIntensive ?? []
  if (!Array.isArray(globs) || globs.some(g => typeof g !== 'string' || g === '')) {
    throw new UsageError(`Invalid memoryPool({ memoryIntensive }) ${shown(globs)}: use a list of globs relative to the root, e.g. ['test/e2e/**'].`)
  }
  const mode = merged.memoryIntensiveMode ?? 'run'
  if (mode !== 'run' && mode !== 'skip' && mode !== 'only') {
    throw new UsageError(`Invalid ${label('memoryIntensiveMode')} ${shown(mode)}: use "run", "skip" or "only".`)
  }
  return {
    memoryIntensiveGlobs: globs,
    memoryIntensiveAboveBytes: optionalSize(merged.memoryIntensiveAbove, label('memoryIntensiveAbove')),
    memoryIntensiveMode: mode,
  }
}

function intensiveModeFromEnv(env: NodeJS.ProcessEnv): MemoryIntensiveMode | undefined {
  const skip = envFlag(env, 'VITEST_MEMORY_SKIP_INTENSIVE')
  const only = envFlag(env, 'VITEST_MEMORY_ONLY_INTENSIVE')
  if (skip && only) throw new UsageError('VITEST_MEMORY_SKIP_INTENSIVE and VITEST_MEMORY_ONLY_INTENSIVE are both set: set one (skip the heavy files, or run only them).')
  return skip ? 'skip' : only ? 'only' : undefined
}
