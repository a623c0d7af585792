// What a file over its budget reached, worded once for every output (terminal summary, Markdown,
// GitHub annotations): the figure the verdict judged (policy/verdict.ts, carried on the report row)
// against its budget and where that budget came from.
import type { FileReport } from '../record/report.js'
import { formatBytes } from '../size.js'

export function overBudgetText(file: FileReport, escapeText: (text: string) => string = text => text): string {
  const budget = `budget ${formatBytes(file.budgetBytes)}, ${escapeText(file.budgetSource ?? 'global')}`
  if (file.judgedBasis === 'added' && file.shared) {
    return `added ${formatBytes(file.judgedBytes ?? null)} above the ${formatBytes(file.shared.startRssBytes)} its shared process held (peak ${formatBytes(file.treePeakRssBytes)}; ${budget})`
  }
  return `peaked at ${formatBytes(file.judgedBytes ?? file.treePeakRssBytes)} (${budget})`
}
