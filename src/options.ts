// Resolves config + environment + CLI flags into one validated options object.
// Precedence: flag > env > config. Every bad value is a UsageError with one line that says what to fix.
import { resolve } from 'node:path'
import { totalmem } from 'node:os'
import { readCgroupLimit } from './measure/machine.js'
import { autoCeiling } from './policy/admission.js'
import { parseIncrease } from './policy/regression.js'
import { parseSize, SizeError } from './size.js'

export type BudgetMode = 'fail' | 'warn'
export type MemoryIntensiveMode = 'run' | 'skip' | 'only'

/** What a user writes in `memoryPool({ ... })`. */
export interface MemoryPoolOptions {
  /** Peak RSS allowed per test file, e.g. "512MB". Files above it fail the run (or warn). */
  budget?: string
  /** Per-file budgets by glob (relative to the project root): `{ 'test/e2e/**': '2GB' }`. */
  budgets?: Record<string, string>
  /** 'fail' (default) exits 1 when a file is over budget; 'warn' only reports. */
  budgetMode?: BudgetMode
  /** Where the JSON report goes (default `.vitest-memory/report.json`, relative to the root). */
  report?: string
  /** How many files the terminal table lists (over-budget files are always listed). Default 10. */
  top?: number
  /** How often the process tree is sampled, in milliseconds. Default 50. */
  sampleIntervalMs?: number
  /** A test process that has not finished starting after this many milliseconds is killed and its file fails. Default 60000. */
  startTimeout?: number
  /** The measured history (default `.vitest-memory/history.json`); `false` keeps none. */
  history?: string | false
  /** Files tagged `memory_intensive` by glob (relative to the project root): `['test/e2e/**']`. */
  memoryIntensive?: string[]
  /** A file whose last measured peak in the history exceeded this is tagged `memory_intensive`. Default: its budget. */
  memoryIntensiveAbove?: string
  /** 'run' (default) runs every file; 'skip' never starts tagged files; 'only' starts nothing else. */
  memoryIntensiveMode?: MemoryIntensiveMode
  /** Memory the running files may hold together: a size, or 'auto' (80% of the container's limit or of total memory). */
  maxMemory?: string
  /**
   * Test processes kept booted ahead of time, so a file starts on a ready process (a jsdom or
   * happy-dom file's on one that already loaded its environment). Default 'auto': as many as the
   * free cores and memory allow, within the room under --max-memory; a number keeps that many; 0 turns it off.
   */
  spareProcesses?: number | 'auto'
  /** Force a GC after every test and flag files whose retained heap keeps growing. */
  detectLeaks?: boolean
  /** Run files under V8's sampling heap profiler: only files over budget (re-run after the main run), or all. */
  heapProfile?: HeapProfileMode
  /** Write the self-contained HTML report; `true` = `.vitest-memory/report.html`. */
  html?: string | boolean
  /** Write a Markdown summary to this path. */
  markdown?: string
  /** A saved report.json to compare this run with; a file that grew too much fails the run. */
  compareTo?: string
  /** Growth that fails the comparison, e.g. "20%" (default). */
  failOnIncrease?: string
  /** ... and only when a file grew by at least this much, e.g. "20MB" (default). */
  minDelta?: string
  /** Hard limit on a file's process tree RSS, e.g. "2GB": over it the tree is killed and the file fails. */
  memoryLimit?: string
  /** Per-file hard limits by glob (relative to the project root): `{ 'test/e2e/**': '4GB' }`. */
  limits?: Record<string, string>
  /** The flight recorder (default `.vitest-memory/journal.jsonl`); `false` keeps none. */
  journal?: string | false
}

/**
 * Vitest's own pool runner gives a worker 60 s to answer "started" (START_TIMEOUT in its pool
 * runner); the memory pool answers Vitest at once and holds its child to the same bound.
 */
export const DEFAULT_START_TIMEOUT_MS = 60_000

export type HeapProfileMode = 'over-budget' | 'all'

export interface ResolvedMemoryOptions {
  budgetBytes: number | null
  budgets: { glob: string, bytes: number }[]
  budgetMode: BudgetMode
  reportPath: string
  top: number
  sampleIntervalMs: number
  /** How long a test process may take to finish starting before it is killed and its file fails. */
  startTimeoutMs: number
  historyPath: string | null
  memoryIntensiveGlobs: string[]
  memoryIntensiveAboveBytes: number | null
  memoryIntensiveMode: MemoryIntensiveMode
  /** null: no ceiling. */
  maxMemoryBytes: number | null
  spareProcesses: number | 'auto'
  detectLeaks: boolean
  heapProfile: HeapProfileMode | null
  htmlPath: string | null
  markdownPath: string | null
  compareTo: string | null
  /** Relative growth (0.2 = 20%) beyond which a file fails the comparison. */
  failOnIncrease: number
  minDeltaBytes: number
  limitBytes: number | null
  limits: { glob: string, bytes: number }[]
  journalPath: string | null
}

export class UsageError extends Error {
  override name = 'UsageError'
}

const KNOWN_KEYS: (keyof MemoryPoolOptions)[] = [
  'budget', 'budgets', 'budgetMode', 'report', 'top', 'sampleIntervalMs', 'startTimeout', 'history',
  'memoryIntensive', 'memoryIntensiveAbove', 'memoryIntensiveMode',
  'maxMemory', 'spareProcesses',
  'detectLeaks', 'heapProfile',
  'html', 'markdown', 'compareTo', 'failOnIncrease', 'minDelta',
  'memoryLimit', 'limits', 'journal',
]

export const DEFAULT_REPORT_PATH = '.vitest-memory/report.json'
export const DEFAULT_HISTORY_PATH = '.vitest-memory/history.json'
export const DEFAULT_HTML_PATH = '.vitest-memory/report.html'
export const DEFAULT_FAIL_ON_INCREASE = '20%'
export const DEFAULT_MIN_DELTA = '20MB'
export const DEFAULT_JOURNAL_PATH = '.vitest-memory/journal.jsonl'

/** Options read from VITEST_MEMORY_* environment variables. */
export function optionsFromEnv(env: NodeJS.ProcessEnv = process.env): MemoryPoolOptions {
  const fromEnv: MemoryPoolOptions = {}
  if (env.VITEST_MEMORY_BUDGET) fromEnv.budget = env.VITEST_MEMORY_BUDGET
  if (env.VITEST_MEMORY_BUDGET_MODE) fromEnv.budgetMode = env.VITEST_MEMORY_BUDGET_MODE as BudgetMode
  if (env.VITEST_MEMORY_REPORT) fromEnv.report = env.VITEST_MEMORY_REPORT
  if (env.VITEST_MEMORY_HISTORY) fromEnv.history = env.VITEST_MEMORY_HISTORY
  if (env.VITEST_MEMORY_INTENSIVE_ABOVE) fromEnv.memoryIntensiveAbove = env.VITEST_MEMORY_INTENSIVE_ABOVE
  const mode = intensiveModeFromEnv(env)
  if (mode) fromEnv.memoryIntensiveMode = mode
  if (env.VITEST_MEMORY_MAX_MEMORY) fromEnv.maxMemory = env.VITEST_MEMORY_MAX_MEMORY
  if (env.VITEST_MEMORY_SPARE_PROCESSES) fromEnv.spareProcesses = spareProcessesValue(env.VITEST_MEMORY_SPARE_PROCESSES)
  if (env.VITEST_MEMORY_DETECT_LEAKS) fromEnv.detectLeaks = envBoolean(env.VITEST_MEMORY_DETECT_LEAKS)
  if (env.VITEST_MEMORY_HEAP_PROFILE) fromEnv.heapProfile = env.VITEST_MEMORY_HEAP_PROFILE as HeapProfileMode
  if (env.VITEST_MEMORY_HTML) fromEnv.html = /^(1|true)$/i.test(env.VITEST_MEMORY_HTML) || env.VITEST_MEMORY_HTML
  if (env.VITEST_MEMORY_MARKDOWN) fromEnv.markdown = env.VITEST_MEMORY_MARKDOWN
  if (env.VITEST_MEMORY_COMPARE_TO) fromEnv.compareTo = env.VITEST_MEMORY_COMPARE_TO
  if (env.VITEST_MEMORY_LIMIT) fromEnv.memoryLimit = env.VITEST_MEMORY_LIMIT
  if (env.VITEST_MEMORY_JOURNAL) fromEnv.journal = env.VITEST_MEMORY_JOURNAL
  return fromEnv
}

/** `--spare-processes` / VITEST_MEMORY_SPARE_PROCESSES: "auto" or a number; anything else is kept so validation names it. */
export function spareProcessesValue(value: string): number | 'auto' {
  const trimmed = value.trim()
  if (trimmed.toLowerCase() === 'auto') return 'auto'
  return /^-?\d+(\.\d+)?$/.test(trimmed) ? Number(trimmed) : value as never
}

/** "1"/"true" and "0"/"false"; anything else is kept as is so validation names it. */
function envBoolean(value: string): boolean {
  if (value === '1' || value === 'true') return true
  if (value === '0' || value === 'false') return false
  return value as never
}

function sizeOption(value: unknown, what: string): number {
  try {
    return parseSize(value as string, what)
  } catch (error) {
    if (error instanceof SizeError) throw new UsageError(error.message)
    throw error
  }
}

function usage<T>(read: () => T): T {
  try {
    return read()
  } catch (error) {
    throw new UsageError((error as Error).message)
  }
}

/** Checks a `memoryPool()` argument early, so a typo fails at config load, not mid-run. */
export function validateConfigOptions(options: MemoryPoolOptions): void {
  for (const key of Object.keys(options)) {
    if (!KNOWN_KEYS.includes(key as keyof MemoryPoolOptions)) {
      throw new UsageError(`Unknown vitest-memory option "${key}": known options are ${KNOWN_KEYS.join(', ')}.`)
    }
  }
  resolveOptions(options, {}, {}, process.cwd())
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
}

/** Every VITEST_MEMORY_* variable an option reads, for help texts. */
export function environmentVariables(): string[] {
  return Object.values(LABELS).flatMap(([, env]) => env.split(' / ')).filter(name => name.startsWith('VITEST_MEMORY_'))
}

/** Names the place a value came from, so an error points at what to fix. */
function sourceLabel(key: keyof MemoryPoolOptions, config: MemoryPoolOptions, env: MemoryPoolOptions, cli: MemoryPoolOptions): string {
  const [flag, envName] = LABELS[key] ?? [key, key]
  if (cli[key] !== undefined) return flag
  if (env[key] !== undefined) return envName
  return `memoryPool({ ${key} })`
}

export function resolveOptions(
  config: MemoryPoolOptions,
  env: MemoryPoolOptions,
  cli: MemoryPoolOptions,
  root: string,
): ResolvedMemoryOptions {
  const merged: MemoryPoolOptions = { ...config, ...env, ...cli }
  const budgetMode = merged.budgetMode ?? 'fail'
  if (budgetMode !== 'fail' && budgetMode !== 'warn') {
    throw new UsageError(`Invalid ${sourceLabel('budgetMode', config, env, cli)} "${budgetMode}": use "fail" or "warn".`)
  }
  const top = merged.top ?? 10
  if (!Number.isInteger(top) || top < 1) throw new UsageError(`Invalid top ${top}: use a whole number of at least 1.`)
  const sampleIntervalMs = merged.sampleIntervalMs ?? 50
  if (!(sampleIntervalMs >= 5 && sampleIntervalMs <= 5000)) {
    throw new UsageError(`Invalid sampleIntervalMs ${sampleIntervalMs}: use a number of milliseconds from 5 to 5000.`)
  }
  const startTimeoutMs = merged.startTimeout ?? DEFAULT_START_TIMEOUT_MS
  if (typeof startTimeoutMs !== 'number' || !(startTimeoutMs >= 100 && startTimeoutMs <= 3_600_000)) {
    throw new UsageError(`Invalid startTimeout ${JSON.stringify(merged.startTimeout)}: use a number of milliseconds from 100 to 3600000 (default ${DEFAULT_START_TIMEOUT_MS}).`)
  }
  const spareProcesses = merged.spareProcesses ?? 'auto'
  if (spareProcesses !== 'auto' && (!Number.isInteger(spareProcesses) || spareProcesses < 0 || spareProcesses > 16)) {
    throw new UsageError(`Invalid ${sourceLabel('spareProcesses', config, env, cli)} ${merged.spareProcesses}: use a whole number from 0 to 16, or "auto".`)
  }
  const budgets = Object.entries(merged.budgets ?? {}).map(([glob, size]) => ({
    glob,
    bytes: sizeOption(size, `budget for "${glob}"`),
  }))
  const heapProfile = merged.heapProfile ?? null
  if (heapProfile !== null && heapProfile !== 'over-budget' && heapProfile !== 'all') {
    throw new UsageError(`Invalid ${sourceLabel('heapProfile', config, env, cli)} "${heapProfile}": use "over-budget" or "all".`)
  }
  if (merged.detectLeaks !== undefined && typeof merged.detectLeaks !== 'boolean') {
    throw new UsageError(`Invalid ${sourceLabel('detectLeaks', config, env, cli)} ${JSON.stringify(merged.detectLeaks)}: use true or false.`)
  }
  return {
    detectLeaks: merged.detectLeaks ?? false,
    heapProfile,
    budgetBytes: merged.budget == null ? null : sizeOption(merged.budget, sourceLabel('budget', config, env, cli)),
    budgets,
    budgetMode,
    reportPath: resolve(root, merged.report ?? DEFAULT_REPORT_PATH),
    top,
    sampleIntervalMs,
    startTimeoutMs,
    maxMemoryBytes: merged.maxMemory == null ? null
      : merged.maxMemory === 'auto' ? autoCeiling(readCgroupLimit(), totalmem())
      : sizeOption(merged.maxMemory, sourceLabel('maxMemory', config, env, cli)),
    spareProcesses,
    historyPath: merged.history === false ? null : resolve(root, merged.history ?? DEFAULT_HISTORY_PATH),
    ...resolveIntensiveOptions(merged, key => sourceLabel(key, config, env, cli)),
    htmlPath: !merged.html ? null : resolve(root, merged.html === true ? DEFAULT_HTML_PATH : merged.html),
    markdownPath: merged.markdown ? resolve(root, merged.markdown) : null,
    compareTo: merged.compareTo ? resolve(root, merged.compareTo) : null,
    failOnIncrease: usage(() => parseIncrease(merged.failOnIncrease ?? DEFAULT_FAIL_ON_INCREASE, sourceLabel('failOnIncrease', config, env, cli))),
    minDeltaBytes: sizeOption(merged.minDelta ?? DEFAULT_MIN_DELTA, sourceLabel('minDelta', config, env, cli)),
    limitBytes: merged.memoryLimit == null ? null : sizeOption(merged.memoryLimit, sourceLabel('memoryLimit', config, env, cli)),
    limits: Object.entries(merged.limits ?? {}).map(([glob, size]) => ({ glob, bytes: sizeOption(size, `limit for "${glob}"`) })),
    journalPath: merged.journal === false ? null : resolve(root, merged.journal ?? DEFAULT_JOURNAL_PATH),
  }
}

/** The memory_intensive options: tag globs, the history threshold and the lane. */
function resolveIntensiveOptions(merged: MemoryPoolOptions, label: (key: keyof MemoryPoolOptions) => string) {
  const globs = merged.memoryIntensive ?? []
  if (!Array.isArray(globs) || globs.some(g => typeof g !== 'string' || g === '')) {
    throw new UsageError(`Invalid memoryPool({ memoryIntensive }): use a list of globs relative to the root, e.g. ['test/e2e/**'].`)
  }
  const mode = merged.memoryIntensiveMode ?? 'run'
  if (mode !== 'run' && mode !== 'skip' && mode !== 'only') {
    throw new UsageError(`Invalid ${label('memoryIntensiveMode')} "${mode}": use "run", "skip" or "only".`)
  }
  return {
    memoryIntensiveGlobs: globs,
    memoryIntensiveAboveBytes: merged.memoryIntensiveAbove == null ? null : sizeOption(merged.memoryIntensiveAbove, label('memoryIntensiveAbove')),
    memoryIntensiveMode: mode,
  }
}

const TRUE = ['1', 'true', 'yes']
const FALSE = ['', '0', 'false', 'no']

function intensiveModeFromEnv(env: NodeJS.ProcessEnv): MemoryIntensiveMode | undefined {
  const on = (name: string): boolean => {
    const value = (env[name] ?? '').trim().toLowerCase()
    if (TRUE.includes(value)) return true
    if (FALSE.includes(value)) return false
    throw new UsageError(`Invalid ${name}="${env[name]}": use 1 to turn it on, or leave it unset.`)
  }
  const skip = on('VITEST_MEMORY_SKIP_INTENSIVE')
  const only = on('VITEST_MEMORY_ONLY_INTENSIVE')
  if (skip && only) throw new UsageError('VITEST_MEMORY_SKIP_INTENSIVE and VITEST_MEMORY_ONLY_INTENSIVE are both set: set one (skip the heavy files, or run only them).')
  return skip ? 'skip' : only ? 'only' : undefined
}
