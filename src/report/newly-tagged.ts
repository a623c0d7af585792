// The one line a run prints when it did not start files that became memory_intensive since the
// last run (their last measured peak crossed the threshold): a regression must never turn
// silently into a skip.
import type { MemoryReport } from '../record/report.js'

export function newlyTaggedLine(report: MemoryReport): string | null {
  const files = report.files.filter(f => f.newlyMemoryIntensive && f.skipReason != null)
  if (files.length === 0) return null
  return ` vitest-memory: newly memory_intensive since the last run, not started: ${files.map(f => `${f.file} (${f.tagSource})`).join(', ')}`
}
