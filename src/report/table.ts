// The terminal table printed after a run: heaviest files first; every over-budget, crashed, killed
// or aborted file always.
import pc from 'picocolors'
import { formatBytes, formatDuration } from '../size.js'
import { terminalSafe } from '../record/display-path.js'
import { byWeight, fileWeight, type FileReport, type MemoryReport } from '../record/report.js'
import { detailLines, setupBaseline } from './details.js'
import { renderSharedProcesses, sharedDetailLine } from './shared.js'
import { maxOf } from '../numbers.js'

type Colors = ReturnType<typeof pc.createColors>

const BAR_WIDTH = 20
const MAX_NAME_WIDTH = 48

/** Under --heap-profile=peak the profiler lives in the measured process: said, not subtracted. */
export const PROFILED_NOTE = "profiled at the peak (--heap-profile=peak): every figure, budget and limit includes the heap profiler's own memory"

const METHOD_LABEL: Record<string, string> = {
  procfs: 'Linux procfs: exact kernel high-water mark (VmHWM)',
  getrusage: 'getrusage maxRSS (no procfs on this platform: process tree not counted)',
}

export function renderTable(report: MemoryReport, top: number, colors: Colors = pc): string {
  const notStarted = report.files.filter(f => f.skipReason != null)
  const files = report.files.filter(f => f.skipReason == null).sort(byWeight)
  if (files.length === 0) return [...renderNotStarted(notStarted, top, colors), ''].join('\n')
  const shown = files.filter((file, index) => index < top || alwaysShown(file))
  const hidden = files.length - shown.length
  const scale = maxOf(
    files.map(f => fileWeight(f) ?? 0),
    1,
  )
  const nameWidth = Math.min(
    MAX_NAME_WIDTH,
    maxOf(
      shown.map(f => label(f).length),
      4,
    ),
  )
  const methods = [...new Set(files.map(f => f.method).filter(Boolean))] as string[]

  const lines: string[] = ['']
  const budgetText =
    (report.budgetBytes != null ? ` · budget ${formatBytes(report.budgetBytes)}${report.budgetMode === 'warn' ? ' (warn)' : ''}` : '') +
    (report.run.maxMemoryBytes != null ? ` · max memory ${formatBytes(report.run.maxMemoryBytes)} (files start only when they fit)` : '')
  lines.push(` ${colors.bold(colors.inverse(' MEMORY '))} peak RSS per test file${budgetText}`)
  lines.push(colors.dim(`   ${methods.map(m => METHOD_LABEL[m] ?? m).join('; ') || 'not measured'}${testMethodNote(files)}`))
  if (report.run.heapProfiledAtPeak) lines.push(colors.dim(`   ${PROFILED_NOTE}`))
  lines.push('')
  const against = report.budgetBytes != null || files.some(f => f.budgetBytes != null) ? 'vs budget' : 'vs heaviest'
  // One definition of "heaviest" everywhere (sort, summary, budgets): the tree peak, shown first.
  lines.push(colors.dim(`   ${pad('File', nameWidth)}  ${lpad('Peak ▼', 9)}  ${lpad('Own peak', 9)}  ${lpad('Time', 8)}  ${against}`))
  const baseline = setupBaseline(files)
  for (const file of shown) lines.push(renderRow(file, nameWidth, scale, colors), ...detailLines(file, colors, baseline), ...sharedDetailLine(file, colors))
  if (hidden > 0) lines.push(colors.dim(`   … ${hidden} lighter file${hidden === 1 ? '' : 's'} not shown (see the JSON report)`))
  lines.push('')
  lines.push(` ${summary(report, files, colors)}`)
  lines.push(...renderSharedProcesses(report, colors))
  lines.push(...renderNotStarted(notStarted, top, colors))
  lines.push('')
  return lines.join('\n')
}

/** A file that went wrong for memory's sake is never hidden behind "lighter files not shown". */
function alwaysShown(file: FileReport): boolean {
  return file.overBudget || file.state === 'crash' || file.state === 'killed' || file.state === 'aborted'
}

/** Files the pool never started, grouped by why, each with the source of its memory_intensive tag. */
function renderNotStarted(files: FileReport[], top: number, colors: Colors): string[] {
  if (files.length === 0) return []
  const lines: string[] = ['']
  const reasons = [...new Set(files.map(f => f.skipReason!))]
  for (const reason of reasons) {
    const group = files.filter(f => f.skipReason === reason).sort((a, b) => a.file.localeCompare(b.file))
    lines.push(` ${colors.bold(colors.inverse(' NOT STARTED '))} ${group.length} file${group.length === 1 ? '' : 's'}: ${reason}`)
    const nameWidth = Math.min(MAX_NAME_WIDTH, maxOf(group.slice(0, top).map(f => label(f).length)))
    for (const file of group.slice(0, top)) {
      const why = file.tagSource ? `memory_intensive: ${file.tagSource}` : file.tags.length ? `tags: ${file.tags.join(', ')}` : ''
      lines.push(`   ${pad(fitLabel(file, nameWidth), nameWidth)}  ${colors.dim(why)}`.trimEnd())
    }
    if (group.length > top) lines.push(colors.dim(`   … ${group.length - top} more (see the JSON report)`))
  }
  return lines
}

function renderRow(file: FileReport, nameWidth: number, scale: number, colors: Colors): string {
  const died = file.state === 'crash' || file.state === 'killed' || file.state === 'aborted'
  const mark = file.overBudget ? colors.red('✗') : died ? colors.red('!') : ' '
  const name = fitLabel(file, nameWidth)
  const own = lpad(formatBytes(file.peakRssBytes), 9)
  // A file of a shared process: what it added above the process's start (its own weight).
  const tree = lpad(isAdded(file) ? `+${formatBytes(file.shared!.addedPeakBytes)}` : formatBytes(file.treePeakRssBytes), 9)
  const time = lpad(formatDuration(file.durationMs), 8)
  const weight = fileWeight(file) ?? 0
  let gauge: string
  if (file.budgetBytes != null) {
    const ratio = weight / file.budgetBytes
    const text = `${bar(ratio)} ${lpad(`${Math.round(ratio * 100)}%`, 4)} of ${formatBytes(file.budgetBytes)}`
    gauge = file.overBudget ? colors.red(`${text} over budget`) : ratio > 0.8 ? colors.yellow(text) : colors.green(text)
  } else {
    gauge = colors.cyan(bar(weight / scale))
  }
  const how =
    file.crash?.cause === 'start-timeout'
      ? ' never finished starting'
      : ` ${STATE_LABEL[file.state]}${file.signal ? ` (${file.signal})` : file.exitCode != null ? ` (exit ${file.exitCode})` : ''}`
  // A file failed by its budget alone says "over budget" once; failed tests are said too.
  const testsFailed = file.state === 'fail' && !(file.overBudget && file.tests.length > 0 && file.tests.every(t => t.state !== 'fail'))
  const state = died ? colors.red(how) : testsFailed ? colors.red(' failed') : ''
  const row = `${pad(name, nameWidth)}  ${tree}  ${own}  ${time}  ${gauge}${state}`
  return ` ${mark} ${file.overBudget ? colors.bold(row) : row}`
}

const STATE_LABEL: Record<string, string> = { crash: 'crashed', killed: 'killed at its limit', aborted: 'aborted' }

function summary(report: MemoryReport, files: FileReport[], colors: Colors): string {
  const measured = files.filter(f => f.peakRssBytes != null)
  const heaviest = files[0]
  const over = files.filter(f => f.overBudget).length
  const parts = [`${measured.length} file${measured.length === 1 ? '' : 's'} measured`]
  if (heaviest && isAdded(heaviest) && heaviest.shared?.addedPeakBytes != null)
    parts.push(`heaviest ${label(heaviest)} +${formatBytes(heaviest.shared.addedPeakBytes)} (added above its shared process's start)`)
  else if (heaviest?.treePeakRssBytes != null) parts.push(`heaviest ${label(heaviest)} ${formatBytes(heaviest.treePeakRssBytes)} (peak with subprocesses)`)
  if (over > 0) parts.push(colors.red(`${over} over budget${report.budgetMode === 'warn' ? ' (warning only)' : ''}`))
  const overTests = files.reduce((n, f) => n + (f.tests ?? []).filter(t => t.overBudget).length, 0)
  if (overTests > 0)
    parts.push(
      colors.red(
        `${overTests} test${overTests === 1 ? '' : 's'} over ${overTests === 1 ? 'its' : 'their'} own budget${report.budgetMode === 'warn' ? ' (warning only)' : ''}`,
      ),
    )
  if (over === 0 && overTests === 0 && files.some(f => f.budgetBytes != null)) parts.push(colors.green('all within budget'))
  return parts.join(' · ')
}

/** The file's weight is what it added above its shared process's start (sharedBudget: 'added'). */
function isAdded(file: FileReport): boolean {
  return file.judgedBasis ? file.judgedBasis === 'added' : file.shared != null
}

function testMethodNote(files: FileReport[]): string {
  const methods = new Set(files.map(f => f.testPeakMethod).filter(Boolean))
  if (methods.has('running-max')) return '; per-test peaks: running maximum (the peak could not be reset per test)'
  if (methods.has('clear_refs')) return '; per-test peaks: reset at each test start'
  return ''
}

/** The file's name as the terminal shows it: an escape sequence or newline in a name is shown escaped, never played. */
export function label(file: Pick<FileReport, 'project' | 'file'>): string {
  return terminalSafe(file.project ? `[${file.project}] ${file.file}` : file.file)
}

/**
 * The label cut to a width: the project stays (three projects' rows must not look alike) and the
 * path loses its middle, keeping the top folder and the file name, the parts that identify it.
 */
export function fitLabel(file: Pick<FileReport, 'project' | 'file'>, width: number): string {
  const full = label(file)
  if (full.length <= width) return full
  const project = file.project ? terminalSafe(`[${file.project}] `) : ''
  const room = width - project.length
  if (room < 8) return truncateMiddle(full, width)
  return project + truncateMiddle(terminalSafe(file.file), room)
}

function truncateMiddle(text: string, width: number): string {
  if (text.length <= width) return text
  const tail = Math.ceil((width - 1) * 0.6)
  const head = width - 1 - tail
  return `${text.slice(0, head)}…${text.slice(text.length - tail)}`
}

function bar(ratio: number): string {
  const filled = Math.max(0, Math.min(BAR_WIDTH, Math.round(ratio * BAR_WIDTH)))
  return '█'.repeat(filled) + '░'.repeat(BAR_WIDTH - filled)
}

function pad(text: string, width: number): string {
  return text + ' '.repeat(Math.max(0, width - text.length))
}

function lpad(text: string, width: number): string {
  return ' '.repeat(Math.max(0, width - text.length)) + text
}
