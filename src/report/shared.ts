// Terminal lines for files that ran in shared processes (isolate: false): each file's start and
// what it added and kept, the files that left memory behind, and the recycles.
import type pc from 'picocolors'
import { leftBehindMessage } from '../policy/retained.js'
import type { FileReport, MemoryReport } from '../record/report.js'
import { formatBytes, formatDuration } from '../size.js'

type Colors = ReturnType<typeof pc.createColors>

/** Files named in the list of what was left behind, at most (the JSON report has them all). */
const MAX_NAMED = 20

/** The detail line under a shared file's row. */
export function sharedDetailLine(file: FileReport, colors: Colors): string[] {
  const shared = file.shared
  if (!shared) return []
  const kept =
    shared.retainedBytes == null
      ? ''
      : ` · kept ${signed(shared.retainedBytes)} after GC${shared.retainedFiles > 1 ? ` (with the ${shared.retainedFiles - 1} file${shared.retainedFiles === 2 ? '' : 's'} before it)` : ''}`
  const text = `↳ shared process ${shared.process}, file ${shared.order}: started at ${formatBytes(shared.startRssBytes)}, added ${signed(shared.addedPeakBytes)}${kept}`
  return [`     ${shared.leftBehind ? colors.yellow(text) : colors.dim(text)}`]
}

/** The shared-process section below the table, or nothing when no file ran in a shared process. */
export function renderSharedProcesses(report: MemoryReport, colors: Colors): string[] {
  const summary = report.sharedProcesses
  if (!summary) return []
  const files = report.files.filter(f => f.shared)
  const gcMs = files.reduce((sum, f) => sum + (f.shared!.gcMs ?? 0), 0)
  const lines = [
    '',
    ` ${colors.bold(colors.inverse(' SHARED PROCESSES '))} ${files.length} file${files.length === 1 ? '' : 's'} in ${summary.processes} process${summary.processes === 1 ? '' : 'es'} (isolate: false) · each peak is the file's own, reset at its start · GC after each file ${formatDuration(gcMs)} in all`,
  ]
  const byName = new Map(files.map(f => [f.file, f]))
  if (summary.leftBehind.length === 0) {
    lines.push(colors.dim(`   no file left ${formatBytes(summary.retainedAboveBytes)} or more behind after GC`))
  } else {
    for (const name of summary.leftBehind.slice(0, MAX_NAMED)) {
      const shared = byName.get(name)?.shared
      if (!shared) continue
      lines.push(colors.yellow(`   ${leftBehindMessage(name, { retainedBytes: shared.retainedBytes ?? 0, retainedHeapBytes: shared.retainedHeapBytes ?? 0 })}`))
    }
    if (summary.leftBehind.length > MAX_NAMED) lines.push(colors.dim(`   … ${summary.leftBehind.length - MAX_NAMED} more (see the JSON report)`))
  }
  if (summary.recycles.length > 0) {
    lines.push(`   recycled ${summary.recycles.length}×:`)
    for (const r of summary.recycles) {
      lines.push(
        colors.dim(
          `     process ${r.process} after ${r.files.at(-1)} at ${formatDuration(r.atMs)}: RSS ${formatBytes(r.rssBytes)} > ${formatBytes(r.thresholdBytes)} after ${r.files.length} file${r.files.length === 1 ? '' : 's'}`,
        ),
      )
    }
  }
  return lines
}

function signed(bytes: number | null): string {
  if (bytes == null) return '—'
  return `${bytes < 0 ? '−' : '+'}${formatBytes(Math.abs(bytes))}`
}
