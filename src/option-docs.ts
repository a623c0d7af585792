// The reference's views of the options table (docs/reference.md, `npm run docs`): the options
// table and the CLI synopsis, both rendered from src/option-table.ts.
import { defaultShown, flagUsage, offFlag, OPTIONS, type OptionRow } from './option-table.js'

const code = (text: string) => `\`${text.replace(/\|/g, '\\|')}\``

function flagsCell(row: OptionRow): string {
  const forms = [...(row.flags ?? []).map(flagUsage), ...(offFlag(row) ? [offFlag(row)!] : [])]
  return forms.length ? forms.map(code).join(', ') : '—'
}

function defaultCell(row: OptionRow): string {
  if (row.removed) return '—'
  const shown = defaultShown(row)
  return shown === null ? 'none' : row.default === undefined ? shown : code(shown)
}

function meaningCell(row: OptionRow): string {
  const meaning = `${row.meaning}${row.more ?? ''}`.replace(/\n/g, ' ')
  return row.removed ? `**removed** (accepted, ignored, with a one-line warning): ${meaning}` : meaning
}

/** The reference's options table, as docs/reference.md shows it. */
export function renderOptionsTable(options: readonly OptionRow[] = OPTIONS): string {
  return [
    '| `memoryPool({ … })` | flag | environment | default | meaning |',
    '| --- | --- | --- | --- | --- |',
    ...options.map(o => `| \`${o.key}\` | ${flagsCell(o)} | ${o.env ? o.env.map(code).join(', ') : '—'} | ${defaultCell(o)} | ${meaningCell(o)} |`),
  ].join('\n')
}

/** Width of the synopsis, so the block reads without scrolling on a narrow page. */
const SYNOPSIS_WIDTH = 100

/** The CLI synopsis: every flag of the table in brackets, an option's forms joined by `|`. */
export function renderSynopsis(): string {
  const head = 'vitest-memory [vitest args…]'
  const items = OPTIONS.filter(row => row.flags && !row.removed).map(
    row => `[${[...row.flags!.map(flagUsage), ...(offFlag(row) ? [offFlag(row)!] : [])].join(' | ')}]`,
  )
  items.push('[--shard-plan PLAN.json]')
  const lines: string[] = []
  let line = head
  for (const item of items) {
    if (line.length + 1 + item.length > SYNOPSIS_WIDTH) {
      lines.push(line)
      line = `${' '.repeat(head.indexOf('['))}${item}`
    } else {
      line += ` ${item}`
    }
  }
  lines.push(line)
  return lines.join('\n')
}
