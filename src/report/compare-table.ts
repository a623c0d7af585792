// Renders a comparison of two reports: a terminal table and a Markdown table.
import pc from 'picocolors'
import type { Comparison, FileChange } from '../policy/regression.js'
import { terminalSafe } from '../record/display-path.js'
import { formatBytes } from '../size.js'

type Colors = ReturnType<typeof pc.createColors>

/** Escaped for the terminal (the Markdown table escapes it again for Markdown). */
function label(c: FileChange): string {
  return terminalSafe(c.project ? `[${c.project}] ${c.file}` : c.file)
}

function delta(c: FileChange): string {
  if (c.deltaBytes == null) return ''
  const sign = c.deltaBytes > 0 ? '+' : c.deltaBytes < 0 ? '−' : '±'
  const ratio = c.ratio == null ? '' : ` (${sign}${Math.abs(Math.round(c.ratio * 100))}%)`
  return `${sign}${formatBytes(Math.abs(c.deltaBytes))}${ratio}`
}

function thresholdText(comparison: Comparison): string {
  const { failOnIncrease, minDeltaBytes } = comparison.thresholds
  return `a file fails when it grows by more than ${Math.round(failOnIncrease * 1000) / 10}% and by at least ${formatBytes(minDeltaBytes)}`
}

export function renderComparison(comparison: Comparison, colors: Colors = pc): string {
  const rows = comparison.changes.filter(c => c.kind !== 'unchanged')
  const lines = ['', ` ${colors.bold(colors.inverse(' MEMORY '))} compared with the base report · ${thresholdText(comparison)}`, '']
  if (rows.length === 0) {
    lines.push('   no file changed', '')
    return lines.join('\n')
  }
  const width = Math.min(60, Math.max(4, ...rows.map(r => label(r).length)))
  lines.push(colors.dim(`   ${'File'.padEnd(width)}  ${'Base'.padStart(9)}  ${'Head'.padStart(9)}  Change`))
  for (const c of rows) {
    const name = label(c).length > width ? `…${label(c).slice(-width + 1)}` : label(c).padEnd(width)
    const change = c.kind === 'grew' || c.kind === 'shrank' ? `${c.kind} ${delta(c)}` : c.kind
    const text = `${name}  ${formatBytes(c.baseBytes).padStart(9)}  ${formatBytes(c.headBytes).padStart(9)}  ${change}`
    const mark = c.regression ? colors.red('✗') : ' '
    lines.push(` ${mark} ${c.regression ? colors.red(colors.bold(`${text}  over the threshold`)) : c.kind === 'shrank' ? colors.green(text) : text}`)
  }
  lines.push('')
  const counts = (['grew', 'shrank', 'appeared', 'disappeared'] as const).map(k => [k, rows.filter(r => r.kind === k).length] as const).filter(([, n]) => n > 0)
  lines.push(` ${counts.map(([k, n]) => `${n} ${k}`).join(' · ')}${comparison.regressions.length ? colors.red(` · ${comparison.regressions.length} over the threshold`) : ''}`, '')
  return lines.join('\n')
}

export function renderComparisonMarkdown(comparison: Comparison): string {
  const rows = comparison.changes.filter(c => c.kind !== 'unchanged')
  const head = [`### Compared with the base report`, '', `${comparison.regressions.length ? `❌ ${comparison.regressions.length} file${comparison.regressions.length === 1 ? '' : 's'} grew beyond the threshold` : '✅ no file grew beyond the threshold'} (${thresholdText(comparison)}).`, '']
  if (rows.length === 0) return [...head, 'No file changed.'].join('\n')
  const esc = (t: string) => t.replace(/[\\`*_|<>&[\]]/g, ch => (ch === '<' ? '&lt;' : ch === '>' ? '&gt;' : ch === '&' ? '&amp;' : `\\${ch}`))
  return [...head, '| File | Base | Head | Change |', '| --- | ---: | ---: | --- |',
    ...rows.map(c => `| ${c.regression ? '❌ ' : ''}${esc(label(c))} | ${formatBytes(c.baseBytes)} | ${formatBytes(c.headBytes)} | ${c.kind}${c.deltaBytes != null ? ` ${delta(c)}` : ''} |`)].join('\n')
}

/** One regression in the failure line: `  file 80.0 MB → 130 MB (+63%)`. */
export function regressionLine(c: FileChange): string {
  const ratio = c.ratio == null ? '' : ` (+${Math.round(c.ratio * 100)}%)`
  return `  ${label(c)} ${formatBytes(c.baseBytes)} → ${formatBytes(c.headBytes)}${ratio}`
}
