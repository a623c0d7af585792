// Reads a saved report.json for the subcommands (html, compare) and --compare-to.
import { existsSync, readFileSync } from 'node:fs'
import { UsageError } from '../options.js'
import { SCHEMA_VERSION, type MemoryReport } from './report.js'

export function readReport(path: string): MemoryReport {
  if (!existsSync(path)) throw new UsageError(`Cannot read the report ${path}: no such file. Pass a report.json written by vitest-memory.`)
  let data: MemoryReport
  try {
    data = JSON.parse(readFileSync(path, 'utf8')) as MemoryReport
  } catch (error) {
    throw new UsageError(`Cannot read the report ${path}: not valid JSON (${(error as Error).message}).`)
  }
  if (data?.schemaVersion !== SCHEMA_VERSION || !Array.isArray(data.files) || typeof data.run !== 'object') {
    throw new UsageError(`Cannot read the report ${path}: not a vitest-memory report (schemaVersion ${SCHEMA_VERSION} with run and files).`)
  }
  return data
}
