// The Markdown summary: top files, over-budget files, crashes, totals. Written with
// --memory-markdown PATH anywhere, and appended to $GITHUB_STEP_SUMMARY on GitHub Actions.
import type { Comparison } from '../policy/regression.js'
import { overBudgetText } from './verdict-line.js'
import { byWeight, runPeak, type FileReport, type MemoryReport } from '../record/report.js'
import { formatBytes, formatDuration } from '../size.js'
import { nativeNote, peakLabel, siteWhere } from '../profile/site-text.js'
import { renderComparisonMarkdown } from './compare-table.js'
import { PROFILED_NOTE } from './table.js'

/** Escapes text for Markdown (and the HTML GitHub allows in it): names render as typed. */
export function escapeMarkdown(text: string): string {
  return text
    .replace(/[\\`*_{}[\]()#+!|~]/g, c => `\\${c}`)
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/\r?\n/g, ' ')
}

function name(file: FileReport): string {
  return escapeMarkdown(file.project ? `[${file.project}] ${file.file}` : file.file)
}

function died(file: FileReport): boolean {
  return file.state === 'crash' || file.state === 'killed' || file.state === 'aborted'
}

/** The heap profile's top sites under a troubled file (--heap-profile). */
const SUMMARY_SITES = 3

function sitesMarkdown(file: FileReport): string[] {
  const profile = file.profile
  if (!profile?.sites.length) return []
  const when = profile.capturedAtRssBytes != null ? peakLabel(profile.sampledBytes ?? 0, profile.capturedAtRssBytes) : 'live at exit'
  const native = profile.capturedAtRssBytes != null ? nativeNote(profile.memory?.arrayBuffersBytes, profile.capturedAtRssBytes) : null
  return [
    `  - allocation sites ${escapeMarkdown(when)}${native ? `; ${escapeMarkdown(native)}` : ''}:`,
    ...profile.sites
      .slice(0, SUMMARY_SITES)
      .map(site => `    - \`${site.functionName}\` ${escapeMarkdown(siteWhere(site))}: ${formatBytes(site.bytes)} (${Math.round(site.share * 100)}%)`),
  ]
}

export function renderMarkdown(report: MemoryReport, top = 10, comparison?: Comparison): string {
  const files = [...report.files].sort(byWeight)
  const over = files.filter(f => f.overBudget)
  const dead = files.filter(died)
  const measured = files.filter(f => f.peakRssBytes != null)
  const budget = report.budgetBytes != null ? `budget ${formatBytes(report.budgetBytes)}${report.budgetMode === 'warn' ? ' (warn)' : ''}` : 'no global budget'
  const verdict =
    over.length === 0
      ? '✅ all files within budget'
      : `${report.budgetMode === 'warn' ? '⚠️' : '❌'} ${over.length} file${over.length === 1 ? '' : 's'} over budget`
  const lines = ['## Memory per test file', '', `${verdict} · ${measured.length} of ${files.length} files measured · ${budget}`, '']
  if (report.run.heapProfiledAtPeak) lines.push(`_${PROFILED_NOTE}._`, '')
  if (over.length > 0) {
    lines.push('### Over budget', '')
    for (const f of over) lines.push(`- **${name(f)}** ${overBudgetText(f, escapeMarkdown)}`, ...sitesMarkdown(f))
    lines.push('')
  }
  if (dead.length > 0) {
    lines.push('### Crashed or killed', '')
    for (const f of dead)
      lines.push(
        `- **${name(f)}** ${f.state === 'crash' ? 'crashed' : f.state === 'aborted' ? 'was stopped with the run' : 'was killed'}${f.peakRssBytes != null ? ` at ${formatBytes(f.treePeakRssBytes ?? f.peakRssBytes)}` : ''}`,
        ...sitesMarkdown(f),
      )
    lines.push('')
  }
  const shown = files.filter((f, i) => i < top || f.overBudget || died(f))
  lines.push(`### Heaviest files${shown.length < files.length ? ` (top ${shown.length} of ${files.length})` : ''}`, '')
  lines.push('| File | Peak RSS | Tree peak | Duration | Budget | State |', '| --- | ---: | ---: | ---: | ---: | --- |')
  for (const f of shown) {
    const ratio = f.budgetBytes ? `${Math.round(((f.treePeakRssBytes ?? 0) / f.budgetBytes) * 100)}% of ${formatBytes(f.budgetBytes)}` : '—'
    const state = died(f)
      ? `**${f.state === 'crash' ? 'crashed' : f.state === 'aborted' ? 'aborted' : 'killed'}**`
      : f.overBudget
        ? `**${f.state}, over budget**`
        : f.state
    lines.push(`| ${name(f)} | ${formatBytes(f.peakRssBytes)} | ${formatBytes(f.treePeakRssBytes)} | ${formatDuration(f.durationMs)} | ${ratio} | ${state} |`)
  }
  lines.push('')
  const sum = measured.reduce((total, f) => total + (f.treePeakRssBytes ?? f.peakRssBytes ?? 0), 0)
  const peak = runPeak(report)
  lines.push(
    `**Totals:** ${files.length} files · heaviest ${files[0] ? `${name(files[0])} ${formatBytes(files[0].treePeakRssBytes)}` : '—'}` +
      `${peak ? ` · run peak ${formatBytes(peak.bytes)} (${peak.sampled ? 'summed RSS of the files running at once, sampled' : "its heaviest file's exact peak; the sampled sum was lower"})` : ''} · sum of file peaks ${formatBytes(sum)}` +
      ` · run ${formatDuration(report.run.durationMs)} · Vitest ${escapeMarkdown(report.run.vitestVersion)}, Node ${escapeMarkdown(report.run.nodeVersion)}`,
  )
  lines.push('')
  if (comparison) lines.push(renderComparisonMarkdown(comparison), '')
  return lines.join('\n')
}
