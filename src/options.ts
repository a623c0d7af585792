// Resolves config + environment + CLI flags into one validated options object.
// Precedence: flag > env > config. Every bad value is a UsageError with one line that says what to fix.
import { resolve } from 'node:path'
import { parseSize, SizeError } from './size.js'

export type BudgetMode = 'fail' | 'warn'

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
  /** The measured history (default `.vitest-memory/history.json`); `false` keeps none. */
  history?: string | false
  /** Hard limit on a file's process tree RSS, e.g. "2GB": over it the tree is killed and the file fails. */
  memoryLimit?: string
  /** Per-file hard limits by glob (relative to the project root): `{ 'test/e2e/**': '4GB' }`. */
  limits?: Record<string, string>
  /** The flight recorder (default `.vitest-memory/journal.jsonl`); `false` keeps none. */
  journal?: string | false
}

export interface ResolvedMemoryOptions {
  budgetBytes: number | null
  budgets: { glob: string, bytes: number }[]
  budgetMode: BudgetMode
  reportPath: string
  top: number
  sampleIntervalMs: number
  historyPath: string | null
  limitBytes: number | null
  limits: { glob: string, bytes: number }[]
  journalPath: string | null
}

export class UsageError extends Error {
  override name = 'UsageError'
}

const KNOWN_KEYS: (keyof MemoryPoolOptions)[] = ['budget', 'budgets', 'budgetMode', 'report', 'top', 'sampleIntervalMs', 'history', 'memoryLimit', 'limits', 'journal']

export const DEFAULT_REPORT_PATH = '.vitest-memory/report.json'
export const DEFAULT_HISTORY_PATH = '.vitest-memory/history.json'
export const DEFAULT_JOURNAL_PATH = '.vitest-memory/journal.jsonl'

/** Options read from VITEST_MEMORY_* environment variables. */
export function optionsFromEnv(env: NodeJS.ProcessEnv = process.env): MemoryPoolOptions {
  const fromEnv: MemoryPoolOptions = {}
  if (env.VITEST_MEMORY_BUDGET) fromEnv.budget = env.VITEST_MEMORY_BUDGET
  if (env.VITEST_MEMORY_BUDGET_MODE) fromEnv.budgetMode = env.VITEST_MEMORY_BUDGET_MODE as BudgetMode
  if (env.VITEST_MEMORY_REPORT) fromEnv.report = env.VITEST_MEMORY_REPORT
  if (env.VITEST_MEMORY_HISTORY) fromEnv.history = env.VITEST_MEMORY_HISTORY
  if (env.VITEST_MEMORY_LIMIT) fromEnv.memoryLimit = env.VITEST_MEMORY_LIMIT
  if (env.VITEST_MEMORY_JOURNAL) fromEnv.journal = env.VITEST_MEMORY_JOURNAL
  return fromEnv
}

function sizeOption(value: unknown, what: string): number {
  try {
    return parseSize(value as string, what)
  } catch (error) {
    if (error instanceof SizeError) throw new UsageError(error.message)
    throw error
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
  memoryLimit: ['--memory-limit', 'VITEST_MEMORY_LIMIT'],
  journal: ['--memory-journal', 'VITEST_MEMORY_JOURNAL'],
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
  const budgets = Object.entries(merged.budgets ?? {}).map(([glob, size]) => ({
    glob,
    bytes: sizeOption(size, `budget for "${glob}"`),
  }))
  return {
    budgetBytes: merged.budget == null ? null : sizeOption(merged.budget, sourceLabel('budget', config, env, cli)),
    budgets,
    budgetMode,
    reportPath: resolve(root, merged.report ?? DEFAULT_REPORT_PATH),
    top,
    sampleIntervalMs,
    historyPath: merged.history === false ? null : resolve(root, merged.history ?? DEFAULT_HISTORY_PATH),
    limitBytes: merged.memoryLimit == null ? null : sizeOption(merged.memoryLimit, sourceLabel('memoryLimit', config, env, cli)),
    limits: Object.entries(merged.limits ?? {}).map(([glob, size]) => ({ glob, bytes: sizeOption(size, `limit for "${glob}"`) })),
    journalPath: merged.journal === false ? null : resolve(root, merged.journal ?? DEFAULT_JOURNAL_PATH),
  }
}
