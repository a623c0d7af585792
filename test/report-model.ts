// Builds report models for the unit tests of the renderers and the regression gate.
import type { FileReport, MemoryReport } from '../src/record/report.js'

export const MB = 1e6

export function file(name: string, treePeakMB: number | null, extra: Partial<FileReport> = {}): FileReport {
  const bytes = treePeakMB == null ? null : treePeakMB * MB
  return {
    file: name,
    project: '',
    state: 'pass',
    peakRssBytes: bytes,
    treePeakRssBytes: bytes,
    durationMs: 100,
    budgetBytes: null,
    budgetSource: null,
    overBudget: false,
    method: 'procfs',
    tests: [],
    ...extra,
  }
}

export function report(files: FileReport[], extra: Partial<MemoryReport> = {}): MemoryReport {
  return {
    schemaVersion: 1,
    run: {
      vitestVersion: '4.1.12',
      nodeVersion: 'v20.20.2',
      platform: 'linux',
      totalMemoryBytes: 8e9,
      cgroupLimitBytes: null,
      cpus: 2,
      startedAt: '2026-01-01T00:00:00.000Z',
      durationMs: 1000,
    },
    budgetBytes: null,
    budgetMode: 'fail',
    files,
    ...extra,
  }
}
