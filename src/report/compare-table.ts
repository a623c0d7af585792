// Renders a comparison of two reports: a terminal table and a Markdown table.
import pc from 'picocolors'
import { NOISE_FLOOR_BYTES, NOISE_FLOOR_RATIO, withinNoise, type Comparison, type FileChange } from '../policy/regression.js'
import { terminalSafe } from '../record/display-path.js'
import { formatBytes } from '../size.js'
import { maxOf } from '../numbers.js'

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

/** The rows a table lists: what changed beyond the noise floor, appeared or disappeared. */
function listed(comparison: Comparison): FileChange[] {
  return comparison.changes.filter(c => c.kind !== 'unchanged' && !withinNoise(c))
}

/** "3 files within ±1.0 MB or ±2% of their base not listed", or '' when none. */
export function noiseNote(comparison: Comparison): string {
  const quiet = comparison.changes.filter(withinNoise).length
  if (quiet === 0) return ''
  return `${quiet} file${quiet === 1 ? '' : 's'} within ±${formatBytes(NOISE_FLOOR_BYTES)} or ±${NOISE_FLOOR_RATIO * 100}% of ${quiet === 1 ? 'its' : 'their'} base not listed (run-to-run noise)`
}

export function renderComparison(comparison: Comparison, colors: Colors = pc): string {
  const rows = listed(comparison)
  const noise = noiseNote(comparison)
  const lines = ['', ` ${colors.bold(colors.inverse(' MEMORY '))} compared with the base report · ${thresholdText(comparison)}`, '']
  if (rows.length === 0) {
    lines.push(`   no file changed${noise ? ` · ${noise}` : ''}`, '')
    return lines.join('\n')
  }
  const width = Math.min(
    60,
    maxOf(
      rows.map(r => label(r).length),
      4,
    ),
  )
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
  lines.push(
    ` ${counts.map(([k, n]) => `${n} ${k}`).join(' · ')}${comparison.regressions.length ? colors.red(` · ${comparison.regressions.length} over the threshold`) : ''}${noise ? colors.dim(` · ${noise}`) : ''}`,
    '',
  )
  return lines.join('\n')
}

export function renderComparisonMarkdown(comparison: Comparison): string {
  const rows = listed(comparison)
  const noise = noiseNote(comparison)
  const head = [
    `### Compared with the base report`,
    '',
    `${comparison.regressions.length ? `❌ ${comparison.regressions.length} file${comparison.regressions.length === 1 ? '' : 's'} grew beyond the threshold` : '✅ no file grew beyond the threshold'} (${thresholdText(comparison)}).`,
    '',
  ]
  if (rows.length === 0) return [...head, `No file changed${noise ? `; ${noise}` : ''}.`].join('\n')
  const esc = (t: string) => t.replace(/[\\`*_|<>&[\]]/g, ch => (ch === '<' ? '&lt;' : ch === '>' ? '&gt;' : ch === '&' ? '&amp;' : `\\${ch}`))
  return [
    ...head,
    '| File | Base | Head | Change |',
    '| --- | ---: | ---: | --- |',
    ...rows.map(
      c =>
        `| ${c.regression ? '❌ ' : ''}${esc(label(c))} | ${formatBytes(c.baseBytes)} | ${formatBytes(c.headBytes)} | ${c.kind}${c.deltaBytes != null ? ` ${delta(c)}` : ''} |`,
    ),
    ...(noise ? ['', `${noise}.`] : []),
  ].join('\n')
}

/** One regression in the failure line: `  file 80.0 MB → 130 MB (+63%)`. */
export function regressionLine(c: FileChange): string {
  const ratio = c.ratio == null ? '' : ` (+${Math.round(c.ratio * 100)}%)`
  return `  ${label(c)} ${formatBytes(c.baseBytes)} → ${formatBytes(c.headBytes)}${ratio}`
}
