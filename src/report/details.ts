// The lines under a file's row in the terminal table: where in the file the memory went
// (setup or its heaviest test), tests over their own budget, and the leak signal.
import pc from 'picocolors'
import { heaviestTest, peakTest, type TestReport } from '../record/tests.js'
import { terminalSafe } from '../record/display-path.js'
import type { FileReport } from '../record/report.js'
import { formatBytes } from '../size.js'
import { treePeakText } from './tree-peak.js'
import { minOf } from '../numbers.js'

type Colors = ReturnType<typeof pc.createColors>

/** Setup within 5% of the file's peak: the tests after it added nothing that matters. */
const SETUP_HOLDS_PEAK = 0.95
/** Below this, neither a test's addition nor a setup above the run's lightest one is worth a line. */
const NOTABLE_BYTES = 10e6

/**
 * `baselineBytes` is the lightest setup of the run (an empty file's process): a file whose tests
 * added little and whose setup is near it gets no line, so the table stays about the heavy ones.
 */
export function detailLines(file: FileReport, colors: Colors = pc, baselineBytes = 0): string[] {
  const lines: string[] = []
  const where = isNotable(file, baselineBytes) ? whereLine(file) : null
  if (where) lines.push(colors.dim(`     ↳ ${terminalSafe(where)}`))
  // Its subprocesses made the tree peak: which ones, so a peak that moves from run to run shows why.
  const tree = file.treePeakProcesses
  if (tree?.length && (file.treePeakRssBytes ?? 0) - (file.peakRssBytes ?? 0) >= NOTABLE_BYTES)
    lines.push(colors.dim(`     ↳ tree at its peak: ${treePeakText(tree)}`))
  for (const test of (file.tests ?? []).filter(t => t.overBudget)) {
    lines.push(
      colors.red(`     ↳ ✗ test "${terminalSafe(test.fullName)}" added ${formatBytes(test.addedRssBytes)}, over its ${formatBytes(test.budgetBytes)} budget`),
    )
  }
  if (file.leak?.likely) lines.push(colors.yellow(`     ↳ ${leakText(file.leak)}`))
  return lines
}

export function leakText(leak: NonNullable<FileReport['leak']>): string {
  return `likely leak: +${formatBytes(leak.retainedPerTestBytes)} retained per test over ${leak.tests} tests`
}

function isNotable(file: FileReport, baselineBytes: number): boolean {
  if (file.overBudget) return true
  const added = heaviestTest(file.tests ?? [])?.addedRssBytes ?? 0
  return added >= NOTABLE_BYTES || (!file.shared && (file.setupPeakRssBytes ?? 0) - baselineBytes >= NOTABLE_BYTES)
}

/** The lightest setup peak of a run: what an (almost) empty file's process holds. */
export function setupBaseline(files: FileReport[]): number {
  const setups = files.map(f => f.setupPeakRssBytes).filter((b): b is number => b != null)
  return setups.length ? minOf(setups) : 0
}

function whereLine(file: FileReport): string | null {
  const mostAdded = heaviestTest(file.tests ?? [])
  const atPeak = peakTest(file.tests ?? [])
  // In a shared process the setup figure is mostly what earlier files left: not this file's.
  const setup = file.shared ? null : file.setupPeakRssBytes
  const parts: string[] = []
  // The setup phase holds the file's peak when the tests never went much above it.
  // A test's peak counts its subprocesses, so it can be far above the process's own peak.
  const filePeak = Math.max(file.peakRssBytes ?? 0, atPeak?.peakRssBytes ?? 0) || Infinity
  const setupHoldsPeak = setup != null && (!atPeak || setup >= filePeak * SETUP_HOLDS_PEAK)
  if (setupHoldsPeak) parts.push(`peak in setup (imports, module code, beforeAll): ${formatBytes(setup)}`)
  else if (atPeak) parts.push(`peak ${formatBytes(atPeak.peakRssBytes)} during test "${atPeak.fullName}"${overlap(atPeak)}`)
  if (mostAdded && (mostAdded !== atPeak || setupHoldsPeak) && mostAdded.addedRssBytes >= NOTABLE_BYTES) {
    parts.push(`most added by test "${mostAdded.fullName}" +${formatBytes(mostAdded.addedRssBytes)}${overlap(mostAdded)}`)
  } else if (mostAdded && mostAdded === atPeak && !setupHoldsPeak) {
    parts.push(`it added the most: +${formatBytes(mostAdded.addedRssBytes)}`)
  }
  if (setup != null && !setupHoldsPeak) parts.push(`setup ${formatBytes(setup)}`)
  return parts.length ? parts.join(' · ') : null
}

function overlap(test: TestReport): string {
  return test.overlapping ? ' (ran concurrently with other tests: peak shared)' : ''
}
