// MemoryReporter: joins Vitest's view of each test module with the pool's measurement into the
// report model, then hands that model to each output in turn.
import { relative } from 'node:path'
import pc from 'picocolors'
import type { Reporter, TestModule, Vitest } from 'vitest/node'
import { machineInfo } from './measure/machine.js'
import { optionsFromEnv, resolveOptions, type ResolvedMemoryOptions } from './options.js'
import { recordHistory } from './record/history.js'
import { buildFileReport, writeJsonAtomic, SCHEMA_VERSION, type MemoryReport } from './record/report.js'
import { renderTable } from './report/table.js'
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
    sharedState().startedFiles.clear()
  }

  async onTestRunEnd(testModules: ReadonlyArray<TestModule>): Promise<void> {
    const vitest = this.vitest
    if (!vitest) return
    const state = sharedState()
    const ours = testModules.filter(m => ranOnPool(m, POOL_NAME))
    if (ours.length === 0) return
    const root = vitest.config.root
    const options = resolveOptions(state.configOptions ?? {}, optionsFromEnv(), state.cliOptions, root)
    const report = this.buildReport(ours, options, root)
    state.measurements.clear()
    state.startedFiles.clear()

    writeJsonAtomic(options.reportPath, report)
    vitest.logger.log(renderTable(report, options.top))
    vitest.logger.log(pc.dim(` JSON report: ${displayPath(options.reportPath)}\n`))
    await this.recordHistory(report, options, root, vitest)
    this.judgeBudgets(report, vitest)
  }

  private buildReport(modules: ReadonlyArray<TestModule>, options: ResolvedMemoryOptions, root: string): MemoryReport {
    const { measurements } = sharedState()
    const files = modules.map(module => buildFileReport({
      file: module.moduleId,
      relativeFile: relative(root, module.moduleId).split('\\').join('/'),
      project: module.project.name,
      vitestState: module.state(),
      durationMs: module.diagnostic().duration ?? null,
      started: sharedState().startedFiles.has(measurementKey(module.project.name, module.moduleId)),
    }, measurements.get(measurementKey(module.project.name, module.moduleId))))
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
    if (over.length === 0) return
    const fail = report.budgetMode === 'fail'
    const head = `vitest-memory: ${over.length} file${over.length === 1 ? '' : 's'} over ${over.length === 1 ? 'its' : 'their'} memory budget${fail ? '' : ' (warning only)'}:`
    const lines = over.map(f => `  ${f.file} peaked at ${formatBytes(f.treePeakRssBytes)} (budget ${formatBytes(f.budgetBytes)}, ${f.budgetSource})`)
    const color = fail ? pc.red : pc.yellow
    vitest.logger.error(color([head, ...lines].join('\n')))
    if (fail) process.exitCode = 1
  }
}

function displayPath(path: string): string {
  const fromCwd = relative(process.cwd(), path)
  return fromCwd.startsWith('..') ? path : fromCwd
}
