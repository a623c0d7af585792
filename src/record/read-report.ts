// Reads a saved report.json for the subcommands (html, compare) and --compare-to. A report may come
// from another machine or a cache: it is checked against schema/report.schema.json before use.
import { readFileSync } from 'node:fs'
import { UsageError } from '../options.js'
import { printable } from './display-path.js'
import { duplicateText, findDuplicates } from './duplicates.js'
import { SCHEMA_VERSION, type MemoryReport } from './report.js'
import { schemaProblem } from './schemas.js'

export function readReport(path: string): MemoryReport {
  let text: string
  try {
    text = readFileSync(path, 'utf8')
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code
    if (code === 'ENOENT') throw new UsageError(`Cannot read the report ${path}: no such file. Pass a report.json written by vitest-memory.`)
    throw new UsageError(`Cannot read the report ${path}: ${code ?? (error as Error).message}.`)
  }
  let data: unknown
  try {
    data = JSON.parse(text)
  } catch (error) {
    throw new UsageError(`Cannot read the report ${path}: not valid JSON (${printable((error as Error).message, 120)}).`)
  }
  const version = (data as { schemaVersion?: unknown } | null)?.schemaVersion
  if (typeof version === 'number' && version > SCHEMA_VERSION) {
    throw new UsageError(
      `Cannot read the report ${path}: it was written by a newer vitest-memory (report schema ${version}; this version reads ${SCHEMA_VERSION}).`,
    )
  }
  const problem = schemaProblem('report', data)
  if (problem) throw new UsageError(`Cannot read the report ${path}: not a vitest-memory report, or a damaged one: ${problem}.`)
  const report = data as MemoryReport
  const repeat = findDuplicates(report.files)[0]
  if (repeat)
    throw new UsageError(
      `Cannot read the report ${path}: ${duplicateText('files', repeat)}; a report holds one entry per file (a damaged or hand-merged report).`,
    )
  return report
}
