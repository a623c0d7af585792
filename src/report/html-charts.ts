// The two pictures of the HTML report, as inline SVG: the run's summed RSS over time against the
// budget and the machine's memory, and one lane per worker slot with each file's span coloured by
// its peak. Every label is escaped; nothing is fetched.
import { runPeak, type FileReport, type MemoryReport } from '../record/report.js'
import { formatBytes, formatDuration } from '../size.js'
import { escapeHtml as e } from './html-escape.js'
import { maxOf, minOf } from '../numbers.js'

const WIDTH = 1000
const LABEL_WIDTH = 110
const PLOT_WIDTH = WIDTH - LABEL_WIDTH - 10
const LANE_HEIGHT = 24
const CHART_HEIGHT = 220
/**
 * Width of one character of a bar's label (11 px system-ui), erring wide: DejaVu Sans, Chromium's
 * system-ui on Linux, averages ~6.1 px for a file name, and a label counted short would run into
 * the next bar.
 */
const LABEL_CHAR_WIDTH = 6.6
/** Space between a label and a bar's edge. */
const LABEL_PAD = 4
/** A label cut to fewer characters (plus "…") than this says nothing: the bar keeps its tooltip only. */
const SHORTEST_LABEL = 4

/** Over budget, crashed or killed: what must stand out. */
export function isTrouble(file: FileReport): boolean {
  return file.overBudget || file.state === 'crash' || (file.state as string) === 'killed'
}

export function weight(file: FileReport): number {
  return file.treePeakRssBytes ?? file.peakRssBytes ?? 0
}

/** Green → yellow → red by how close the file came to its budget (or to the heaviest file). */
export function heatColor(file: FileReport, heaviest: number): string {
  if (file.overBudget) return 'hsl(0 75% 50%)'
  const ratio = Math.min(1, weight(file) / (file.budgetBytes ?? Math.max(1, heaviest)))
  return `hsl(${Math.round(120 - 120 * ratio)} 65% ${file.budgetBytes != null ? 45 : 50}%)`
}

function runEndMs(report: MemoryReport): number {
  const ends = report.files.map(f => (f.startedAtMs ?? 0) + (f.durationMs ?? 0))
  return maxOf([...ends, ...(report.timeline ?? []).map(p => p.t)], Math.max(1, report.run.durationMs ?? 0))
}

function niceStep(max: number, ticks: number): number {
  const raw = max / ticks
  const power = 10 ** Math.floor(Math.log10(raw))
  return [1, 2, 2.5, 5, 10].map(m => m * power).find(s => s >= raw) ?? raw
}

function timeAxis(endMs: number, y: number, height: number): string {
  const step = niceStep(endMs, 8)
  const out: string[] = []
  for (let t = 0; t <= endMs + 1e-9; t += step) {
    const x = LABEL_WIDTH + (t / endMs) * PLOT_WIDTH
    out.push(`<line class="grid" x1="${x.toFixed(1)}" x2="${x.toFixed(1)}" y1="${y}" y2="${y + height}"/>`)
    out.push(`<text class="tick" x="${x.toFixed(1)}" y="${y + height + 14}" text-anchor="middle">${e(formatDuration(t))}</text>`)
  }
  return out.join('')
}

/** Summed RSS of all running files over time, with the budget and the machine's memory as lines. */
export function renderMemoryChart(report: MemoryReport): string {
  const points = report.timeline ?? []
  if (points.length === 0) {
    return '<p class="note" id="chart-missing">No run timeline in this report (a report merged from shards has per-file figures only).</p>'
  }
  const endMs = runEndMs(report)
  const top = 12
  const plotHeight = CHART_HEIGHT - 40
  // The sum is sampled; the heaviest file's own peak is exact: the run held at least that.
  const run = runPeak(report)!
  const peak = run.bytes
  const peakLabel = `peak ${formatBytes(peak)}${run.sampled ? '' : " (the heaviest file's exact peak: the sampled sum was lower)"}`
  const ceiling = report.run.cgroupLimitBytes ?? report.run.totalMemoryBytes
  const ceilingShown = ceiling > 0 && ceiling <= peak * 4
  const yMax = Math.max(1, peak, report.budgetBytes ?? 0, ceilingShown ? ceiling : 0) * 1.1
  const x = (t: number) => LABEL_WIDTH + (t / endMs) * PLOT_WIDTH
  const y = (bytes: number) => top + plotHeight - (bytes / yMax) * plotHeight
  // A step line: the sum holds until the next sample.
  let d = `M${x(0).toFixed(1)},${y(0).toFixed(1)}`
  let previous = 0
  for (const p of points) {
    d += ` L${x(p.t).toFixed(1)},${y(previous).toFixed(1)} L${x(p.t).toFixed(1)},${y(p.rssBytes).toFixed(1)}`
    previous = p.rssBytes
  }
  d += ` L${x(endMs).toFixed(1)},${y(previous).toFixed(1)}`
  const area = `${d} L${x(endMs).toFixed(1)},${y(0).toFixed(1)} Z`
  const yStep = niceStep(yMax, 4)
  const yTicks: string[] = []
  for (let b = 0; b <= yMax; b += yStep) {
    yTicks.push(`<line class="grid" x1="${LABEL_WIDTH}" x2="${WIDTH - 10}" y1="${y(b).toFixed(1)}" y2="${y(b).toFixed(1)}"/>`)
    yTicks.push(`<text class="tick" x="${LABEL_WIDTH - 6}" y="${(y(b) + 4).toFixed(1)}" text-anchor="end">${e(formatBytes(b))}</text>`)
  }
  const lines: string[] = []
  if (report.budgetBytes != null) {
    lines.push(
      `<line class="budget-line" x1="${LABEL_WIDTH}" x2="${WIDTH - 10}" y1="${y(report.budgetBytes).toFixed(1)}" y2="${y(report.budgetBytes).toFixed(1)}"/>`,
    )
    lines.push(
      `<text class="line-label budget" x="${WIDTH - 12}" y="${(y(report.budgetBytes) - 4).toFixed(1)}" text-anchor="end">budget per file ${e(formatBytes(report.budgetBytes))}</text>`,
    )
  }
  if (ceilingShown) {
    lines.push(`<line class="ceiling-line" x1="${LABEL_WIDTH}" x2="${WIDTH - 10}" y1="${y(ceiling).toFixed(1)}" y2="${y(ceiling).toFixed(1)}"/>`)
    lines.push(
      `<text class="line-label ceiling" x="${WIDTH - 12}" y="${(y(ceiling) - 4).toFixed(1)}" text-anchor="end">${report.run.cgroupLimitBytes != null ? 'container limit' : 'machine memory'} ${e(formatBytes(ceiling))}</text>`,
    )
  }
  const ceilingNote = ceilingShown
    ? ''
    : `<p class="note">${report.run.cgroupLimitBytes != null ? 'Container limit' : 'Machine memory'} ${e(formatBytes(ceiling))} is far above this run's peak and is not drawn.</p>`
  return `<svg id="memory-chart" class="chart" viewBox="0 0 ${WIDTH} ${CHART_HEIGHT}" role="img" aria-label="Summed RSS of running test files over time">
<title>Summed RSS of running files: ${e(peakLabel)}</title>
${yTicks.join('')}${timeAxis(endMs, top, plotHeight)}
<path class="rss-area" d="${area}"/><path id="rss-line" class="rss-line" d="${d}"/>
${lines.join('')}
<text class="line-label" x="${LABEL_WIDTH + 4}" y="${top + 10}">${e(peakLabel)}</text>
</svg>${ceilingNote}`
}

interface Lane {
  label: string
  files: FileReport[]
}

function lanesOf(files: FileReport[]): Lane[] {
  const lanes = new Map<string, Lane>()
  for (const file of files) {
    const label = `${file.shard ? `shard ${file.shard} · ` : ''}slot ${(file.workerSlot ?? 0) + 1}`
    const lane = lanes.get(label) ?? { label, files: [] }
    lane.files.push(file)
    lanes.set(label, lane)
  }
  return [...lanes.values()].sort((a, b) => a.label.localeCompare(b.label, undefined, { numeric: true }))
}

const barX = (file: FileReport, endMs: number) => LABEL_WIDTH + (file.startedAtMs! / endMs) * PLOT_WIDTH

/** Where the next bar of the lane starts (or the plot's end): a label beside a bar stops there. */
function nextStart(lane: Lane, file: FileReport, endMs: number): number {
  const starts = lane.files.filter(f => f !== file && f.startedAtMs! >= file.startedAtMs!).map(f => barX(f, endMs))
  return minOf(starts, WIDTH - 10)
}

/**
 * A bar's label: inside it when the name fits, else beside it (before the next bar), else cut with
 * "…" to the larger of the two spaces; null when not even a few characters fit (the tooltip stays).
 */
export function barLabel(name: string, x: number, w: number, next: number): { text: string; x: number; beside: boolean } | null {
  const inside = w - 2 * LABEL_PAD
  const beside = next - (x + w) - 2 * LABEL_PAD
  const width = name.length * LABEL_CHAR_WIDTH
  if (width <= inside) return { text: name, x: x + LABEL_PAD, beside: false }
  if (width <= beside) return { text: name, x: x + w + LABEL_PAD, beside: true }
  const room = Math.max(inside, beside)
  const chars = Math.floor(room / LABEL_CHAR_WIDTH) - 1
  if (chars < SHORTEST_LABEL) return null
  return { text: `${name.slice(0, chars)}…`, x: room === inside ? x + LABEL_PAD : x + w + LABEL_PAD, beside: room !== inside }
}

/** One lane per worker slot; each file a bar from its start to its end, coloured by its peak. */
export function renderTimeline(report: MemoryReport): string {
  const placed = report.files.filter(f => f.startedAtMs != null)
  if (placed.length === 0) return '<p class="note" id="timeline-missing">No file in this report says when it ran.</p>'
  const endMs = runEndMs(report)
  const heaviest = maxOf(report.files.map(weight), 1)
  const lanes = lanesOf(placed)
  const height = lanes.length * LANE_HEIGHT + 24
  const rows = lanes
    .map((lane, index) => {
      const y = index * LANE_HEIGHT
      const bars = lane.files
        .map(file => {
          const x = barX(file, endMs)
          const w = Math.max(2, ((file.durationMs ?? 0) / endMs) * PLOT_WIDTH)
          const cls = `span${isTrouble(file) ? ' trouble' : ''}${file.state === 'crash' || (file.state as string) === 'killed' ? ' died' : ''}`
          const tip = `${file.project ? `[${file.project}] ` : ''}${file.file} · ${file.state} · peak ${formatBytes(file.peakRssBytes)} · tree ${formatBytes(file.treePeakRssBytes)} · ${formatDuration(file.durationMs)} from ${formatDuration(file.startedAtMs)}`
          const label = barLabel(file.file.split('/').pop() ?? file.file, x, w, nextStart(lane, file, endMs))
          const text = label ? `<text class="span-label${label.beside ? ' beside' : ''}" x="${label.x.toFixed(1)}" y="${y + 16}">${e(label.text)}</text>` : ''
          return `<g class="${cls}" data-file="${e(file.file)}"><rect x="${x.toFixed(1)}" y="${y + 3}" width="${w.toFixed(1)}" height="${LANE_HEIGHT - 6}" rx="3" fill="${heatColor(file, heaviest)}"><title>${e(tip)}</title></rect>${text}</g>`
        })
        .join('')
      return `<text class="lane-label" x="${LABEL_WIDTH - 6}" y="${y + 16}" text-anchor="end">${e(lane.label)}</text>${bars}`
    })
    .join('\n')
  const earlier = report.files.filter(f => f.startedAtMs == null && f.measuredAt != null).length
  const unplaced = report.files.length - placed.length - earlier
  const note = [
    unplaced > 0
      ? `<p class="note">${unplaced} file${unplaced === 1 ? '' : 's'} never started a process and ${unplaced === 1 ? 'is' : 'are'} not on the timeline.</p>`
      : '',
    earlier > 0
      ? `<p class="note">${earlier} file${earlier === 1 ? ' was' : 's were'} measured by an earlier run of this watch session and ${earlier === 1 ? 'is' : 'are'} not on the timeline.</p>`
      : '',
  ].join('')
  return `<svg id="timeline" class="chart" viewBox="0 0 ${WIDTH} ${height}" role="img" aria-label="Test files by worker slot over time">
${timeAxis(endMs, 0, lanes.length * LANE_HEIGHT)}${rows}
</svg>${note}`
}
