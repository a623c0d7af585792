// The memory verdict on a file and on a test: the one place that says which figure a budget
// judges and whether it is over. The child asks for it before Vitest settles the file (so Vitest
// itself shows the file failed), the pool asks again at the file's end (a verdict known only
// then still fails it), and the report, table, HTML, annotations and exit code read what it said.
import { formatBytes } from '../size.js'

export type BudgetMode = 'fail' | 'warn'
export type SharedBudget = 'added' | 'absolute'

/** How a file's budget is applied: fail or warn, and in a shared process which figure counts. */
export interface VerdictPolicy {
  budgetMode: BudgetMode
  sharedBudget: SharedBudget
}

/** The figures of a file the verdict reads (a measurement, or a report row). */
export interface JudgedFigures {
  /** Peak of the file's process tree (its subprocesses included). */
  treePeakRssBytes: number | null
  budgetBytes: number | null
  budgetSource: string | null
  /** Set when the file ran in a shared process: what that process held when the file started. */
  shared?: { startRssBytes: number } | null
}

/**
 * - `tree`: the file's tree peak (its own process and every subprocess it started);
 * - `added`: in a shared process, what the file added above what the process held at its start
 *   (what earlier files left behind is theirs).
 */
export type JudgedBasis = 'tree' | 'added'

export interface FileVerdict {
  /** The figure the budget judges; also what "heaviest" means (sort, bars, summary). */
  judgedBytes: number | null
  basis: JudgedBasis
  budgetBytes: number | null
  budgetSource: string | null
  over: boolean
  /** Whether being over fails the file (fail mode) or is a warning (warn mode). */
  fails: boolean
}

export function judgeFile(figures: JudgedFigures, policy: VerdictPolicy): FileVerdict {
  const added = figures.shared != null && policy.sharedBudget === 'added'
  const tree = figures.treePeakRssBytes
  const judgedBytes = tree == null ? null : added ? Math.max(0, tree - figures.shared!.startRssBytes) : tree
  const over = figures.budgetBytes != null && judgedBytes != null && judgedBytes > figures.budgetBytes
  return {
    judgedBytes,
    basis: added ? 'added' : 'tree',
    budgetBytes: figures.budgetBytes,
    budgetSource: figures.budgetSource,
    over,
    fails: over && policy.budgetMode === 'fail',
  }
}

/** The error name a file or test over its budget fails with in Vitest (junit, UI, summary). */
export const OVER_BUDGET_ERROR = 'MemoryBudgetExceeded'

/**
 * One line: what the file reached (`when` says when, e.g. " during this test"), its budget and
 * where the budget came from; "(warning only)" in warn mode.
 */
export function fileVerdictText(verdict: FileVerdict, figures: Pick<JudgedFigures, 'treePeakRssBytes' | 'shared'>, when = ''): string {
  const budget = `memory budget of ${formatBytes(verdict.budgetBytes)} (${verdict.budgetSource ?? 'global'})`
  const reached =
    verdict.basis === 'added'
      ? `added ${formatBytes(verdict.judgedBytes)}${when} above the ${formatBytes(figures.shared?.startRssBytes ?? null)} its shared process held (peak ${formatBytes(figures.treePeakRssBytes)})`
      : `peaked at ${formatBytes(verdict.judgedBytes)}${when}`
  return `${reached}, over its ${budget}${verdict.fails ? '' : ' (warning only)'}`
}

/** The error a file or test over its budget fails with in Vitest: named, one line, no stack frames. */
export function overBudgetError(message: string): { name: string; message: string; stack: string } {
  return { name: OVER_BUDGET_ERROR, message, stack: `${OVER_BUDGET_ERROR}: ${message}` }
}

/** A test's verdict: withMemoryBudget() judges what the test added, its subprocesses included. */
export interface TestVerdict {
  addedBytes: number
  budgetBytes: number
  over: boolean
  fails: boolean
}

export function judgeTest(addedBytes: number, budgetBytes: number | null, budgetMode: BudgetMode): TestVerdict | null {
  if (budgetBytes == null) return null
  const over = addedBytes > budgetBytes
  return { addedBytes, budgetBytes, over, fails: over && budgetMode === 'fail' }
}

export function testVerdictText(verdict: TestVerdict): string {
  return `the test added ${formatBytes(verdict.addedBytes)}, over its memory budget of ${formatBytes(verdict.budgetBytes)} (withMemoryBudget)${verdict.fails ? '' : ' (warning only)'}`
}
