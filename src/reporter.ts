// MemoryReporter: joins Vitest's view of each test module with the pool's measurement into the
// report model, then hands that model to each output in turn.
import { relative } from 'node:path'
import pc from 'picocolors'
import type { Reporter, TestModule, Vitest } from 'vitest/node'
import { machineInfo } from './measure/machine.js'
import { runTimeline } from './measure/run-timeline.js'
import { endRunJournal } from './pool/abort.js'
import { optionsFromEnv, resolveOptions, type ResolvedMemoryOptions } from './options.js'
import { recordHistory } from './record/history.js'
import { buildFileReport, writeJsonAtomic, SCHEMA_VERSION, type MemoryReport } from './record/report.js'
import { testDetails } from './record/tests.js'
import { collectProfiles } from './profile/collect.js'
import { placementOf, readMemoryMeta } from './record/task-meta.js'
import { writeOutputs } from './report/outputs.js'
import { renderTable } from './report/table.js'
import { endRunScheduling } from './schedule/run-scheduling.js'
import { renderProfiles } from './report/profiles.js'
import { overBudgetTestLines } from './report/test-budgets.js'
import { formatBytes } from './size.js'
import { measurementKey, sharedState } from './state.js'
import { markReporter, ranOnPool } from './vitest-adapter.js'

const POOL_NAME = 'vitest-memory'

export class MemoryReporter implements Reporter {
  private vitest: Vitest | undefined
  private startedAt = Date.now()

  constructor() {
    markReporter(this)
  }

  onInit(vitest: Vitest): void {
    this.vitest = vitest
    this.startedAt = Date.now()
  }

  onTestRunStart(): void {
    this.startedAt = Date.now()
    sharedState().measurements.clear()
    sharedState().tagging.clear()
    sharedState().startedFiles.clear()
  }

  async onTestRunEnd(testModules: ReadonlyArray<TestModule>): Promise<void> {
    const spares = sharedState().scheduling?.spares?.stats
    endRunScheduling()
    const vitest = this.vitest
    endRunJournal()
    if (!vitest) return
    const state = sharedState()
    const ours = testModules.filter(m => ranOnPool(m, POOL_NAME))
    if (ours.length === 0) return
    const root = vitest.config.root
    const options = resolveOptions(state.configOptions ?? {}, optionsFromEnv(), state.cliOptions, root)
    const report = this.buildReport(ours, options, root)
    if (spares) report.run.spares = { ...spares }
    await collectProfiles(report, state.measurements, options, { vitest, root })
    state.measurements.clear()
    state.tagging.clear()
    runTimeline().clear()
    state.startedFiles.clear()

    writeJsonAtomic(options.reportPath, report)
    vitest.logger.log(renderTable(report, options.top) + renderProfiles(report))
    vitest.logger.log(pc.dim(` JSON report: ${displayPath(options.reportPath)}\n`))
    await this.recordHistory(report, options, root, vitest)
    this.judgeBudgets(report, vitest)
    if (writeOutputs(report, options, root, vitest.logger)) process.exitCode = 1
  }

  private buildReport(modules: ReadonlyArray<TestModule>, options: ResolvedMemoryOptions, root: string): MemoryReport {
    const { measurements, tagging } = sharedState()
    const timeline = runTimeline()
    const files = modules.map((module) => {
      const key = measurementKey(module.project.name, module.moduleId)
      // A merged run (--merge-reports) has no pool: the shards' measurements ride on the task's meta.
      const meta = readMemoryMeta(module.meta())
      const measurement = measurements.get(key) ?? meta?.measurement
      return { ...buildFileReport({
        file: module.moduleId,
        relativeFile: relative(root, module.moduleId).split('\\').join('/'),
        project: module.project.name,
        vitestState: module.state(),
        durationMs: module.diagnostic().duration ?? null,
        started: sharedState().startedFiles.has(key),
      }, measurement, tagging.get(key), testDetails(module, measurement, options.detectLeaks)), ...placementOf(timeline.findSpan(module.project.name, module.moduleId), timeline.startedAt, meta, measurement != null) }
    })
    const points = timeline.timeline()
    return {
      schemaVersion: SCHEMA_VERSION,
      run: {
        vitestVersion: this.vitest!.version,
        nodeVersion: process.version,
        platform: process.platform,
        ...machineInfo(),
        startedAt: new Date(this.startedAt).toISOString(),
        durationMs: Date.now() - this.startedAt,
      },
      budgetBytes: options.budgetBytes,
      budgetMode: options.budgetMode,
      files,
      ...(points.length > 0 ? { timeline: points } : {}),
    }
  }

  private async recordHistory(report: MemoryReport, options: ResolvedMemoryOptions, root: string, vitest: Vitest): Promise<void> {
    if (!options.historyPath) return
    const measured = report.files.filter(f => f.peakRssBytes != null).map(f => ({
      project: f.project,
      file: f.file,
      run: { at: report.run.startedAt, peakRssBytes: f.peakRssBytes, treePeakRssBytes: f.treePeakRssBytes, durationMs: f.durationMs, state: f.state },
    }))
    if (measured.length === 0) return
    try {
      const warning = await recordHistory(options.historyPath, root, measured)
      if (warning) vitest.logger.warn(pc.yellow(warning))
    } catch (error) {
      vitest.logger.warn(pc.yellow(`vitest-memory: could not update the history: ${(error as Error).message}`))
    }
  }

  private judgeBudgets(report: MemoryReport, vitest: Vitest): void {
    const over = report.files.filter(f => f.overBudget)
    const overTests = overBudgetTestLines(report)
    if (over.length === 0 && overTests.length === 0) return
    const fail = report.budgetMode === 'fail'
    const color = fail ? pc.red : pc.yellow
    if (over.length > 0) {
      const head = `vitest-memory: ${over.length} file${over.length === 1 ? '' : 's'} over ${over.length === 1 ? 'its' : 'their'} memory budget${fail ? '' : ' (warning only)'}:`
      const lines = over.map(f => `  ${f.file} peaked at ${formatBytes(f.treePeakRssBytes)} (budget ${formatBytes(f.budgetBytes)}, ${f.budgetSource})`)
      vitest.logger.error(color([head, ...lines].join('\n')))
    }
    if (overTests.length > 0) {
      const head = `vitest-memory: ${overTests.length} test${overTests.length === 1 ? '' : 's'} over ${overTests.length === 1 ? 'its' : 'their'} memory budget${fail ? '' : ' (warning only)'}:`
      vitest.logger.error(color([head, ...overTests].join('\n')))
    }
    if (fail) process.exitCode = 1
  }
}

function displayPath(path: string): string {
  const fromCwd = relative(process.cwd(), path)
  return fromCwd.startsWith('..') ? path : fromCwd
}
