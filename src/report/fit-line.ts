// The run summary's fit line: the run's measured peak, and what maxWorkers the history says fits
// this machine's (or container's) memory — what `vitest-memory plan --memory auto` would plan.
import { readProcessMemory } from '../measure/procfs.js'
import { fitWorkers, RUNNER_MEMORY_BYTES } from '../policy/job-fit.js'
import { entryKey, historyIndex, lastPeak, peekHistory } from '../record/history.js'
import { runPeak, type MemoryReport } from '../record/report.js'
import { formatBytes } from '../size.js'
import { maxOf } from '../numbers.js'

/** Below this many files every maxWorkers fits the same way: the line would say nothing. */
const MIN_FILES = 2

/**
 * One line, or null when the history has too little data: it must have measured every file of
 * this run before (a first run only learns), and at least MIN_FILES of them.
 */
export function fitLine(report: MemoryReport, historyPath: string | null): string | null {
  if (!historyPath) return null
  const history = peekHistory(historyPath)
  if (!history) return null
  const index = historyIndex(history)
  const files = report.files.filter(f => f.treePeakRssBytes != null)
  if (files.length < MIN_FILES || files.some(f => lastPeak(index.get(entryKey(f.project, f.file))) == null)) return null
  // This run's figure where it measured one (the freshest), the history's for the other files.
  const measured = new Map(files.map(f => [entryKey(f.project, f.file), f.treePeakRssBytes!]))
  const peaks = history.entries.map(e => measured.get(entryKey(e.project, e.file)) ?? lastPeak(e)).filter((p): p is number => p != null)
  const { totalMemoryBytes, cgroupLimitBytes } = report.run
  const machine = cgroupLimitBytes != null ? Math.min(cgroupLimitBytes, totalMemoryBytes) : totalMemoryBytes
  if (RUNNER_MEMORY_BYTES + maxOf(peaks) > machine) return null // `plan --memory auto` names such a file
  const workers = fitWorkers(peaks, machine)
  // The same figure as the report's run peak: the sampled sum, never below the heaviest file's exact peak.
  const atOnce = runPeak(report)?.bytes ?? maxOf(peaks)
  const own = readProcessMemory('self')?.hwmBytes ?? process.memoryUsage().rss
  const where = cgroupLimitBytes != null && cgroupLimitBytes < totalMemoryBytes ? "this container's" : "this machine's"
  const all = workers === peaks.length ? ` (all ${peaks.length} files at once)` : ''
  return ` Memory fit: this run peaked at ${formatBytes(atOnce + own)} (test processes at once ${formatBytes(atOnce)}, Vitest's own ${formatBytes(own)}); by the history, --max-workers ${workers}${all} fits ${where} ${formatBytes(machine)} (vitest-memory plan --memory auto)`
}
