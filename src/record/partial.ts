// The JSON report of a run that was stopped before it ended (SIGTERM/SIGINT): every file that
// started, with what was measured so far. Synchronous, because the process is about to exit.
import { relative } from 'node:path'
import type { Vitest } from 'vitest/node'
import { machineInfo } from '../measure/machine.js'
import type { ResolvedMemoryOptions } from '../options.js'
import { runSession } from '../run-session.js'
import { moduleStateInVitest } from '../vitest-internals/tasks.js'
import { schemaRef } from '../schema-ref.js'
import { buildFileReport, SCHEMA_VERSION, writeJsonAtomic, type MemoryReport } from './report.js'

/** Where this run writes its report: the path it claimed at its start, else the configured one. */
export function reportPathOf(options: ResolvedMemoryOptions): string {
  return runSession().reportClaim?.path ?? options.reportPath
}

/**
 * Where a stopped run's report goes: beside the report, named as partial, so the last complete
 * report (a baseline for `compare`, a CI artifact) is never replaced by a cut-short one.
 */
export function partialReportPath(reportPath: string): string {
  return /\.json$/i.test(reportPath) ? reportPath.replace(/\.json$/i, '.partial.json') : `${reportPath}.partial.json`
}

/** Writes the partial report; returns its path. */
export function writePartialReport(vitest: Vitest, options: ResolvedMemoryOptions, signal: NodeJS.Signals, startedAt: number): string {
  const root = vitest.config.root
  const files = [...runSession().measurements.values()].map(measurement => {
    const vitestState = moduleStateInVitest(vitest, measurement.file, measurement.project)
    return buildFileReport(
      {
        file: measurement.file,
        relativeFile: relative(root, measurement.file).split('\\').join('/'),
        project: measurement.project,
        vitestState,
        durationMs: measurement.durationMs,
      },
      measurement,
      undefined,
      undefined,
      options,
    )
  })
  const report: MemoryReport = {
    $schema: schemaRef('report'),
    schemaVersion: SCHEMA_VERSION,
    run: {
      vitestVersion: vitest.version,
      nodeVersion: process.version,
      platform: process.platform,
      ...machineInfo(),
      startedAt: new Date(startedAt).toISOString(),
      durationMs: Date.now() - startedAt,
      abortedBy: signal,
    },
    budgetBytes: options.budgetBytes,
    budgetMode: options.budgetMode,
    files,
  }
  const path = partialReportPath(reportPathOf(options))
  writeJsonAtomic(path, report)
  return path
}
