// Watch mode: a rerun measures only the files an edit touched, but report.json stays a report of
// the whole suite. The rerun's files are merged into the report this watch session wrote last;
// every file that was not re-run keeps its last measurement, marked with when it was measured.
import { existsSync } from 'node:fs'
import { join } from 'node:path'
import type { FileReport, MemoryReport } from './report.js'

/** The last report written per report path by this process (one watch session). */
const lastWritten = new Map<string, MemoryReport>()

const fileKey = (f: Pick<FileReport, 'project' | 'file'>) => `${f.project}\0${f.file}`

/**
 * What to write to `path` after a run: outside watch mode the run's own report; in watch mode the
 * run's files plus, from the session's previous report, each file this run did not measure (still
 * on disk), with `measuredAt` set to the start of the run that measured it. Timeline positions
 * (startedAtMs, workerSlot) belong to that older run's clock and are left out.
 */
export function reportToWrite(report: MemoryReport, path: string, watching: boolean, root: string): MemoryReport {
  if (!watching) return report
  const previous = lastWritten.get(path)
  const merged = previous ? mergeRerun(previous, report, root) : report
  lastWritten.set(path, merged)
  return merged
}

export function mergeRerun(previous: MemoryReport, rerun: MemoryReport, root: string): MemoryReport {
  const measured = new Set(rerun.files.map(fileKey))
  const carried = previous.files
    .filter(f => !measured.has(fileKey(f)) && existsSync(join(root, f.file)))
    .map(({ startedAtMs: _startedAtMs, workerSlot: _workerSlot, ...f }) => ({ ...f, measuredAt: f.measuredAt ?? previous.run.startedAt }))
  return { ...rerun, files: [...rerun.files, ...carried] }
}
