// The HTML report: one self-contained file (inline CSS and JS, no network) rendered from the report
// model. Everything is rendered here, escaped; the inline script only sorts the table.
import { writeCommandOutput } from '../record/atomic-write.js'
import { dirname, join, relative } from 'node:path'
import { byWeight, type FileReport, type MemoryReport } from '../record/report.js'
import { heaviestTest } from '../record/tests.js'
import { formatBytes, formatDuration } from '../size.js'
import { isTrouble, renderMemoryChart, renderTimeline, weight } from './html-charts.js'
import { escapeHtml as e } from './html-escape.js'
import { leftBehindMessage } from '../policy/retained.js'
import { renderProfilesHtml, type ProfileHref } from './html-profiles.js'
import { breakable, WRAP_CSS } from './html-wrap.js'

interface Column {
  key: string
  label: string
  numeric?: boolean
  /** A name (or text with names in it): wraps only after `/` and `_` and at spaces (html-wrap.ts). */
  names?: boolean
  cell: (file: FileReport) => { text: string; sort: string | number; className?: string }
}

const COLUMNS: Column[] = [
  // Sorted by what it shows (a NUL separator would be invalid in an HTML attribute).
  { key: 'file', label: 'File', names: true, cell: f => ({ text: fileText(f), sort: fileText(f), className: 'name' }) },
  { key: 'state', label: 'State', cell: f => ({ text: stateText(f), sort: f.state, className: `state-${f.state}` }) },
  { key: 'peak', label: 'Peak RSS', numeric: true, cell: f => ({ text: formatBytes(f.peakRssBytes), sort: f.peakRssBytes ?? -1 }) },
  { key: 'tree', label: 'Tree peak', numeric: true, cell: f => ({ text: formatBytes(f.treePeakRssBytes), sort: f.treePeakRssBytes ?? -1 }) },
  { key: 'duration', label: 'Duration', numeric: true, cell: f => ({ text: formatDuration(f.durationMs), sort: f.durationMs ?? -1 }) },
  { key: 'budget', label: 'Budget', numeric: true, names: true, cell: f => ({ text: budgetText(f), sort: f.budgetBytes ? weight(f) / f.budgetBytes : -1 }) },
  { key: 'tags', label: 'Tags', names: true, cell: f => ({ text: tagsText(f.tags), sort: tagsText(f.tags) }) },
  { key: 'test', label: 'Heaviest test', names: true, cell: f => ({ text: heaviestTestText(f), sort: heaviestTest(f.tests ?? [])?.addedRssBytes ?? -1 }) },
  {
    key: 'kept',
    label: 'Kept after GC',
    numeric: true,
    names: true,
    cell: f => ({ text: keptText(f), sort: f.shared?.retainedBytes ?? -1, className: f.shared?.leftBehind ? 'state-fail' : undefined }),
  },
]

/** Shared processes (isolate: false): what the file left in its process after a forced GC. */
function keptText(file: FileReport): string {
  const shared = file.shared
  if (!shared) return ''
  if (shared.retainedBytes == null) return `little · process ${shared.process} #${shared.order}`
  return `${formatBytes(shared.retainedBytes)} · process ${shared.process} #${shared.order}`
}

function fileText(file: FileReport): string {
  return file.project ? `[${file.project}] ${file.file}` : file.file
}

function stateText(file: FileReport): string {
  const state = file.state as string
  if (state === 'crash') return 'crashed'
  if (state === 'killed') return 'killed'
  return file.overBudget ? `${state} · over budget` : state
}

function budgetText(file: FileReport): string {
  if (file.budgetBytes == null) return '—'
  const percent = Math.round((weight(file) / file.budgetBytes) * 100)
  return `${percent}% of ${formatBytes(file.budgetBytes)}${file.budgetSource && file.budgetSource !== 'global' ? ` (${file.budgetSource})` : ''}`
}

function tagsText(tags: readonly string[] | undefined): string {
  return (tags ?? []).join(', ')
}

function heaviestTestText(file: FileReport): string {
  const test = heaviestTest(file.tests ?? [])
  return test ? `${test.fullName} (+${formatBytes(test.addedRssBytes)})` : ''
}

/** A report without tags or per-test data (an older or merged one) leaves those columns out. */
const OPTIONAL_COLUMNS = new Set(['tags', 'test', 'kept'])

function renderTable(report: MemoryReport): string {
  const columns = COLUMNS.filter(c => !OPTIONAL_COLUMNS.has(c.key) || report.files.some(f => c.cell(f).text !== ''))
  const head = columns
    .map(c => `<th scope="col" data-key="${c.key}"${c.numeric ? ' class="num"' : ''} aria-sort="none"><button type="button">${e(c.label)}</button></th>`)
    .join('')
  const rows = [...report.files]
    .sort(byWeight)
    .map(file => {
      const cells = columns
        .map(c => {
          const { text, sort, className } = c.cell(file)
          const classes = [c.numeric ? 'num' : '', className ?? ''].filter(Boolean).join(' ')
          return `<td data-key="${c.key}" data-sort="${e(sort)}"${classes ? ` class="${e(classes)}"` : ''}>${c.names ? breakable(text) : e(text)}</td>`
        })
        .join('')
      return `<tr${isTrouble(file) ? ' class="trouble"' : ''}>${cells}</tr>`
    })
    .join('\n')
  return `<table id="files"><thead><tr>${head}</tr></thead><tbody>\n${rows}\n</tbody></table>`
}

function renderSummary(report: MemoryReport): string {
  const files = [...report.files].sort(byWeight)
  const measured = files.filter(f => f.peakRssBytes != null).length
  const over = files.filter(f => f.overBudget).length
  const died = files.filter(f => f.state === 'crash' || (f.state as string) === 'killed').length
  const heaviest = files[0]
  const cards = [
    ['Files measured', `${measured} of ${files.length}`, ''],
    ['Heaviest file', heaviest ? `${heaviest.file} · ${formatBytes(weight(heaviest))}` : '—', ''],
    ['Over budget', `${over}${report.budgetMode === 'warn' && over ? ' (warning only)' : ''}`, over ? 'bad' : 'good'],
    ['Crashed or killed', String(died), died ? 'bad' : 'good'],
  ]
  return `<div class="cards">${cards.map(([label, value, tone]) => `<div class="card ${tone}"><div class="label">${e(label)}</div><div class="value">${breakable(value)}</div></div>`).join('')}</div>`
}

function runLine(report: MemoryReport): string {
  const r = report.run
  const parts = [
    `${new Date(r.startedAt).toISOString().replace('T', ' ').slice(0, 19)} UTC`,
    `Vitest ${r.vitestVersion}`,
    `Node ${r.nodeVersion}`,
    r.platform,
    `${r.cpus} CPUs`,
    `${formatBytes(r.totalMemoryBytes)} memory`,
    r.cgroupLimitBytes != null ? `container limit ${formatBytes(r.cgroupLimitBytes)}` : '',
    `run ${formatDuration(r.durationMs)}`,
    report.budgetBytes != null ? `budget ${formatBytes(report.budgetBytes)}${report.budgetMode === 'warn' ? ' (warn)' : ''}` : 'no global budget',
  ]
  return parts
    .filter(Boolean)
    .map(p => e(p))
    .join(' · ')
}

export function renderHtml(report: MemoryReport, profileHref?: ProfileHref): string {
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'; script-src 'unsafe-inline'; img-src data:">
<link rel="icon" href="data:,">
<title>vitest-memory report</title>
<style>${CSS}${WRAP_CSS}</style>
</head>
<body>
<header><h1>Memory per test file</h1><p class="run">${runLine(report)}</p></header>
${renderSummary(report)}
<section><h2>Summed RSS of running files</h2>${renderMemoryChart(report)}</section>
<section><h2>Timeline by worker slot</h2><p class="note">Each bar is one test file in its own process, coloured by its tree peak: green is far from its budget (or, without one, light next to the heaviest file), red is over. Outlined bars crashed or were killed.</p>${renderTimeline(report)}</section>
${renderSharedSection(report)}<section><h2>Files</h2><p class="note">Click a column to sort.</p>${renderTable(report)}</section>
${renderProfilesHtml(report, profileHref)}
<footer>vitest-memory · schema ${e(report.schemaVersion)}</footer>
<script>${SCRIPT}</script>
</body>
</html>
`
}

/** `root`: the project root the report's paths are relative to, so profile links work from the HTML file. */
export function writeHtml(path: string, report: MemoryReport, root?: string): void {
  writeCommandOutput('the HTML report', path, renderHtml(report, profileHrefFor(path, root)))
}

/** Links from an HTML file at `path` to profiles written under `root` (relative, so they work offline). */
export function profileHrefFor(path: string, root?: string): ProfileHref | undefined {
  return root ? (profile: string) => relative(dirname(path), join(root, profile)).split('\\').join('/') : undefined
}

const CSS = `
:root { color-scheme: light; --bad: #c62828; --good: #2e7d32; --muted: #5f6368; --line: #e0e0e0; }
* { box-sizing: border-box; }
body { font: 14px/1.45 system-ui, -apple-system, "Segoe UI", Roboto, sans-serif; margin: 0 auto; padding: 24px; max-width: 1200px; color: #202124; background: #fff; }
h1 { font-size: 22px; margin: 0 0 4px; } h2 { font-size: 16px; margin: 28px 0 8px; }
.run, .note, footer { color: var(--muted); font-size: 12px; margin: 4px 0 8px; }
.cards { display: flex; gap: 12px; flex-wrap: wrap; margin-top: 16px; }
.card { border: 1px solid var(--line); border-radius: 8px; padding: 10px 14px; min-width: 180px; flex: 1; }
.card .label { color: var(--muted); font-size: 12px; } .card .value { font-size: 16px; font-weight: 600; }
.card.bad { border-color: var(--bad); } .card.bad .value { color: var(--bad); }
.chart { width: 100%; height: auto; display: block; }
.grid { stroke: #eee; } .tick, .lane-label, .line-label { font-size: 11px; fill: var(--muted); }
.rss-area { fill: rgba(25, 118, 210, .15); } .rss-line { fill: none; stroke: #1976d2; stroke-width: 1.5; }
.budget-line { stroke: #ef6c00; stroke-dasharray: 6 4; } .line-label.budget { fill: #ef6c00; }
.ceiling-line { stroke: var(--bad); stroke-dasharray: 2 3; } .line-label.ceiling { fill: var(--bad); }
.span rect { stroke: rgba(0,0,0,.25); } .span.trouble rect { stroke: var(--bad); stroke-width: 2; }
.span.died rect { stroke: #000; stroke-width: 2.5; stroke-dasharray: 4 2; }
.span-label { font-size: 11px; fill: #111; pointer-events: none; }
table { border-collapse: collapse; width: 100%; font-variant-numeric: tabular-nums; }
th, td { text-align: left; padding: 6px 8px; border-bottom: 1px solid var(--line); vertical-align: top; }
th.num, td.num { text-align: right; }
th button { font: inherit; font-weight: 600; border: 0; background: none; padding: 0; cursor: pointer; color: inherit; }
th[aria-sort="ascending"] button::after { content: " ▲"; } th[aria-sort="descending"] button::after { content: " ▼"; }
td.name { font-family: ui-monospace, SFMono-Regular, Menlo, monospace; font-size: 12.5px; }
/* Names wrap only after "/" and "_" and at spaces (html-wrap.ts): never inside a word. A figure and its unit stay on one line. */
td.num { white-space: nowrap; } td[data-key="budget"], td[data-key="kept"] { white-space: normal; }
td[data-key="test"], td[data-key="tags"] { min-width: 10em; }
td.name { min-width: 14em; }
tr.trouble td { background: #fdecea; } tr.trouble td.name { font-weight: 600; }
.state-crash, .state-killed, .state-fail { color: var(--bad); font-weight: 600; }
footer { margin-top: 32px; }
h3.profile-file { font-size: 14px; margin: 18px 0 2px; font-family: ui-monospace, SFMono-Regular, Menlo, monospace; }
table.sites { width: auto; min-width: 60%; } .note.bad { color: var(--bad); }
`

// Sorts by each cell's data-sort value; numbers numerically. First click: heaviest/largest first.
const SCRIPT = `
(function () {
  var table = document.getElementById('files');
  var body = table.tBodies[0];
  var heads = table.tHead.rows[0].cells;
  Array.prototype.forEach.call(heads, function (th, index) {
    th.querySelector('button').addEventListener('click', function () {
      var numeric = th.classList.contains('num') || th.dataset.key === 'test';
      var descending = th.getAttribute('aria-sort') !== 'descending';
      if (!numeric && th.getAttribute('aria-sort') === 'none') descending = false;
      if (!numeric && th.getAttribute('aria-sort') === 'ascending') descending = true;
      if (!numeric && th.getAttribute('aria-sort') === 'descending') descending = false;
      Array.prototype.forEach.call(heads, function (other) { other.setAttribute('aria-sort', 'none'); });
      th.setAttribute('aria-sort', descending ? 'descending' : 'ascending');
      var rows = Array.prototype.slice.call(body.rows);
      rows.sort(function (a, b) {
        var x = a.cells[index].dataset.sort, y = b.cells[index].dataset.sort;
        var order = numeric ? Number(x) - Number(y) : x.localeCompare(y);
        return descending ? -order : order;
      });
      rows.forEach(function (row) { body.appendChild(row); });
    });
  });
})();
`

/** Files that left memory behind in a shared process, and the recycles (isolate: false). */
function renderSharedSection(report: MemoryReport): string {
  const shared = report.sharedProcesses
  if (!shared) return ''
  const byName = new Map(report.files.map(f => [f.file, f]))
  const named = shared.leftBehind
    .map(name => {
      const s = byName.get(name)?.shared
      return `<li>${e(leftBehindMessage(name, { retainedBytes: s?.retainedBytes ?? 0, retainedHeapBytes: s?.retainedHeapBytes ?? 0 }))}</li>`
    })
    .join('')
  const recycles = shared.recycles
    .map(
      r =>
        `<li>${e(`process ${r.process} replaced after ${r.files.at(-1)} at ${formatDuration(r.atMs)}: RSS ${formatBytes(r.rssBytes)} > ${formatBytes(r.thresholdBytes)} after ${r.files.length} files`)}</li>`,
    )
    .join('')
  return `<section><h2>Shared processes</h2><p class="note">${e(`${shared.processes} process${shared.processes === 1 ? '' : 'es'} ran files one after another (isolate: false). Each file's peak is its own (reset at its start); a file is named when it left ${formatBytes(shared.retainedAboveBytes)} or more after a forced GC.`)}</p>${named ? `<ul class="left-behind">${named}</ul>` : `<p>${e('No file left memory behind.')}</p>`}${recycles ? `<h3>Recycled</h3><ul>${recycles}</ul>` : ''}</section>`
}
