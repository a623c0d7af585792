// Resolves config + environment + CLI flags into one validated options object, all by the rows of
// the one options table (option-table.ts): its checks, its defaults, its variables and its labels.
// Precedence: flag > env > config. Every bad value is a UsageError with one line that says what to fix.
import { resolve } from 'node:path'
import { envSwitch, SWITCH_VALUES } from './env.js'
import { MESSAGE_PREFIX, shown, UsageError } from './errors.js'
import { DEFAULT_HTML_PATH, OPTIONS, optionRow, type OptionKey, type OptionRow } from './option-table.js'
import { describeValue, isPlainObject, sizeValue } from './option-values.js'
import { DEFAULT_RETAINED_ABOVE } from './policy/retained.js'

// Modules that throw usage errors used to import them from here.
export { UsageError } from './errors.js'
export { parseIncrease } from './option-values.js'
export {
  DEFAULT_FAIL_ON_INCREASE,
  DEFAULT_HISTORY_PATH,
  DEFAULT_HTML_PATH,
  DEFAULT_JOURNAL_PATH,
  DEFAULT_MIN_DELTA,
  DEFAULT_REPORT_PATH,
  DEFAULT_START_TIMEOUT_MS,
} from './option-table.js'

import type { MemoryPoolOptions, ResolvedMemoryOptions, OptionLayer } from './option-types.js'
export type { BudgetMode, MemoryIntensiveMode, MemoryPoolOptions, SharedBudget, HeapProfileMode, ResolvedMemoryOptions, OptionLayer } from './option-types.js'

/**
 * Files the terminal table lists besides those that always show (over budget, crashed, killed);
 * also the Markdown and GitHub summaries. Ten fit a terminal screen with the summary lines, and
 * the JSON and HTML reports list every file: a knob for it did not pay (it was `top`).
 */
export const TABLE_ROWS = 10
/**
 * How often a file's process tree is sampled (policy/limit.ts paces it at 10 ms near a hard
 * limit). The root process's peak is the kernel's exact high-water mark whatever this is; the tree
 * sum only misses a subprocess that lives less than one interval, and 50 ms costs under 1% of a
 * core per file (it was `sampleIntervalMs`).
 */
export const TREE_SAMPLE_INTERVAL_MS = 50

/** The keys memoryPool() accepts: the table's, the removed ones included (they warn). */
const KNOWN_KEYS = OPTIONS.map(option => option.key)
const LIVE_KEYS = OPTIONS.filter(option => !option.removed).map(option => option.key)

/**
 * Options read from VITEST_MEMORY_* environment variables, by each row's variable. An empty variable
 * is unset. Every variable reads the same words as on/off (see envSwitch): off turns the option off
 * even when the config sets it; a variable that only switches says so when given anything else.
 */
export function optionsFromEnv(env: NodeJS.ProcessEnv = process.env): OptionLayer {
  const layer: Record<string, unknown> = {}
  for (const row of OPTIONS) {
    if (!row.env) continue
    const value = row.env.length > 1 ? laneFromEnv(row, env) : fromEnv(row, row.env[0], env[row.env[0]])
    if (value !== undefined) layer[row.key] = value
  }
  return layer as OptionLayer
}

/** One variable → the option's value (as the config would write it), or undefined when unset. */
function fromEnv(row: OptionRow, name: string, raw: string | undefined): unknown {
  if (raw === undefined || raw.trim() === '') return undefined
  const word = envSwitch(raw)
  const flag = row.flags?.[0]
  if (row.path && word !== null) {
    const example = shown(typeof row.default === 'string' ? row.default : row.example)
    if (row.off === undefined)
      throw new UsageError(`Invalid ${name} ${shown(raw)}: ${row.path.offRefused ?? 'it cannot be turned off'}; give a path, e.g. ${example}.`)
    if (word === 'on') throw new UsageError(`Invalid ${name} ${shown(raw)}: give a path, e.g. ${example}, or 0 to turn it off.`)
  }
  if (word === 'off' && row.off !== undefined) return row.off
  if (word === 'on' && flag?.sets !== undefined) return flag.sets
  // A variable that only switches (VITEST_MEMORY_DETECT_LEAKS) reads nothing but on and off.
  if (flag && !flag.value && typeof flag.sets === 'boolean') throw new UsageError(`Invalid ${name} ${shown(raw)}: ${SWITCH_VALUES}.`)
  return row.fromText ? row.fromText(raw, name) : raw
}

/** Two switches for one option (the fast and the heavy lane): on sets that flag's value; both on is refused. */
function laneFromEnv(row: OptionRow, env: NodeJS.ProcessEnv): unknown {
  const on = row.env!.flatMap((name, i) => {
    const raw = env[name] ?? ''
    if (raw.trim() === '') return []
    const word = envSwitch(raw)
    if (word === null) throw new UsageError(`Invalid ${name} ${shown(raw)}: ${SWITCH_VALUES}.`)
    return word === 'on' ? [row.flags![i].sets] : []
  })
  if (on.length > 1) throw new UsageError(row.exclusive!.env)
  return on[0]
}

/** Every VITEST_MEMORY_* variable an option reads, for help texts. */
export function environmentVariables(): string[] {
  return OPTIONS.filter(row => !row.removed).flatMap(row => row.env ?? [])
}

/** Checks a `memoryPool()` argument early, so a typo fails at config load, not mid-run. */
export function validateConfigOptions(options: MemoryPoolOptions, cli: OptionLayer = {}, env: OptionLayer = optionsFromEnv()): void {
  if (!isPlainObject(options)) {
    throw new UsageError(`Invalid memoryPool() argument ${describeValue(options)}: pass an object of options, e.g. memoryPool({ budget: '1GB' }).`)
  }
  for (const key of Object.keys(options)) {
    if (!KNOWN_KEYS.includes(key as OptionKey)) {
      throw new UsageError(`Unknown vitest-memory option ${shown(key)}: known options are ${LIVE_KEYS.join(', ')}.`)
    }
  }
  resolveOptions(options, env, cli, process.cwd())
}

/** Names the place a value came from, so an error points at what to fix. */
function sourceLabel(row: OptionRow, env: OptionLayer, cli: OptionLayer): string {
  if (cli[row.key] !== undefined && row.flags) return row.flags.map(flag => flag.name).join(' / ')
  if (env[row.key] !== undefined && row.env) return row.env.join(' / ')
  return `memoryPool({ ${row.key} })`
}

export function resolveOptions(config: MemoryPoolOptions, env: OptionLayer, cli: OptionLayer, root: string): ResolvedMemoryOptions {
  const merged: OptionLayer = { ...config, ...env, ...cli }
  /** The key's value checked by its row: the default when unset; `null`/`false` is off. */
  const value = <T>(key: OptionKey): T => {
    const row = optionRow(key)
    const given = merged[key]
    return row.check(given === undefined ? row.default : given, sourceLabel(row, env, cli)) as T
  }
  const path = (key: 'report' | 'history' | 'journal' | 'markdown' | 'compareTo') => {
    const chosen = value<string | null | undefined>(key)
    return chosen ? resolve(root, chosen) : null
  }
  const html = value<string | true | null>('html')
  const resolved: ResolvedMemoryOptions = {
    budgetBytes: value('budget'),
    budgets: value('budgets'),
    budgetMode: value('budgetMode'),
    reportPath: path('report')!,
    top: TABLE_ROWS,
    sampleIntervalMs: TREE_SAMPLE_INTERVAL_MS,
    startTimeoutMs: value('startTimeout'),
    annotations: value('annotations'),
    historyPath: path('history'),
    memoryIntensiveGlobs: value('memoryIntensive'),
    memoryIntensiveAboveBytes: value('memoryIntensiveAbove'),
    memoryIntensiveMode: value('memoryIntensiveMode'),
    maxMemoryBytes: value('maxMemory'),
    spareProcesses: value('spareProcesses'),
    detectLeaks: value('detectLeaks'),
    heapProfile: value('heapProfile'),
    htmlPath: html === null ? null : resolve(root, html === true ? DEFAULT_HTML_PATH : html),
    markdownPath: path('markdown'),
    compareTo: path('compareTo'),
    failOnIncrease: value('failOnIncrease'),
    minDeltaBytes: value('minDelta'),
    limitBytes: value('memoryLimit'),
    limits: value('limits'),
    journalPath: path('journal'),
    recycleAbove: value('recycleAbove'),
    retainedAboveBytes: sizeValue(DEFAULT_RETAINED_ABOVE, 'retainedAbove'),
    sharedBudget: value('sharedBudget'),
    vm: value('vm'),
    // Checked above: a string here is a path the user gave.
    askedFor: { report: typeof merged.report === 'string', history: typeof merged.history === 'string', journal: typeof merged.journal === 'string' },
  }
  // Only once the rest is valid: a refused config stays one line.
  warnRemoved(merged)
  return resolved
}

/** Lines already printed, kept on globalThis: Vitest loads the config and the reporter in two module graphs. */
const WARNED = Symbol.for('vitest-memory.removed-option-warnings')

/** A removed option still given: one line, once per process, and its value is ignored. */
function warnRemoved(merged: OptionLayer): void {
  const holder = globalThis as Record<symbol, Set<string>>
  holder[WARNED] ??= new Set()
  const printed = holder[WARNED]
  for (const row of OPTIONS) {
    if (!row.removed || merged[row.key] === undefined || printed.has(row.removed)) continue
    printed.add(row.removed)
    console.warn(`${MESSAGE_PREFIX}${row.removed}`)
  }
}
