// The report model: the one plain-data contract between measuring and showing.
// The pool fills measurements, every renderer reads this, report.json is it serialized.
import { mkdirSync, renameSync, writeFileSync } from 'node:fs'
import { dirname } from 'node:path'
import type { MeasurementMethod } from '../measure/self.js'
import { isOverBudget } from '../policy/budget.js'
import type { FileMeasurement } from '../state.js'

export const SCHEMA_VERSION = 1

export type FileState = 'pass' | 'fail' | 'skip' | 'crash'

export interface FileReport {
  /** Path relative to the root, with forward slashes. */
  file: string
  project: string
  state: FileState
  peakRssBytes: number | null
  treePeakRssBytes: number | null
  durationMs: number | null
  budgetBytes: number | null
  budgetSource: string | null
  overBudget: boolean
  method: MeasurementMethod | null
}

export interface RunInfo {
  vitestVersion: string
  nodeVersion: string
  platform: NodeJS.Platform
  totalMemoryBytes: number
  cgroupLimitBytes: number | null
  cpus: number
  startedAt: string
  durationMs: number
}

export interface MemoryReport {
  schemaVersion: typeof SCHEMA_VERSION
  run: RunInfo
  budgetBytes: number | null
  budgetMode: 'fail' | 'warn'
  files: FileReport[]
}

/** What the reporter knows about one test module from Vitest. */
export interface ModuleOutcome {
  file: string
  relativeFile: string
  project: string
  vitestState: string
  durationMs: number | null
  /** Whether the pool handed the file to a process; false for files --bail or a cancel never ran. */
  started?: boolean
}

export function fileState(vitestState: string, started = true): FileState {
  switch (vitestState) {
    case 'passed': return 'pass'
    case 'failed': return 'fail'
    case 'skipped': return 'skip'
    // Still pending after the run: its process died before it could finish — unless no process
    // was ever given the file (--bail, a cancel), then it simply did not run.
    default: return started ? 'crash' : 'skip'
  }
}

export function buildFileReport(outcome: ModuleOutcome, measurement: FileMeasurement | undefined): FileReport {
  const budget = measurement?.budgetBytes != null ? { bytes: measurement.budgetBytes, source: measurement.budgetSource ?? 'global' } : null
  return {
    file: outcome.relativeFile,
    project: outcome.project,
    state: fileState(outcome.vitestState, outcome.started),
    peakRssBytes: measurement?.peakRssBytes ?? null,
    treePeakRssBytes: measurement?.treePeakRssBytes ?? null,
    durationMs: measurement?.durationMs ?? outcome.durationMs,
    budgetBytes: budget?.bytes ?? null,
    budgetSource: budget?.source ?? null,
    overBudget: isOverBudget(measurement?.treePeakRssBytes ?? null, budget),
    method: measurement?.method ?? null,
  }
}

/** Heaviest first: by tree peak, then own peak; unmeasured files last. */
export function byWeight(a: FileReport, b: FileReport): number {
  return (b.treePeakRssBytes ?? -1) - (a.treePeakRssBytes ?? -1) || (b.peakRssBytes ?? -1) - (a.peakRssBytes ?? -1)
}

/** Writes the report so a reader never sees half a file: temp file in the same folder, then rename. */
export function writeJsonAtomic(path: string, data: unknown): void {
  mkdirSync(dirname(path), { recursive: true })
  const temp = `${path}.${process.pid}.${Date.now()}.tmp`
  writeFileSync(temp, `${JSON.stringify(data, null, 2)}\n`)
  renameSync(temp, path)
}
