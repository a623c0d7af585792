// MemoryReporter: joins Vitest's view of each test module with the pool's measurement into the
// report model, then hands that model to each output in turn.
import { makeDirFor } from './state-dir.js'
import { relative } from 'node:path'
import pc from 'picocolors'
import type { Reporter, TestModule, Vitest } from 'vitest/node'
import { machineInfo } from './measure/machine.js'
import { USAGE_EXIT_CODE } from './errors.js'
import { endRunJournal } from './pool/abort.js'
import type { ResolvedMemoryOptions } from './options.js'
import { recordHistory } from './record/history.js'
import { buildFileReport, sharedProcessesReport, writeJsonAtomic, SCHEMA_VERSION, type MemoryReport } from './record/report.js'
import { testDetails } from './record/tests.js'
import { reportToWrite } from './record/watch-merge.js'
import { collectProfiles } from './profile/collect.js'
import { displayPath } from './record/display-path.js'
import { claimReportPath, onProcessExit } from './record/report-claim.js'
import { placementOf, readMemoryMeta } from './record/task-meta.js'
import { schemaRef } from './schema-ref.js'
import { OutputWriter, readBaseline, writeOutputs, type Baseline } from './report/outputs.js'
import { label, renderTable } from './report/table.js'
import { POOL_NAME } from './pool/protocol.js'
import { renderProfiles } from './report/profiles.js'
import { fitLine } from './report/fit-line.js'
import { overBudgetTestLines } from './report/test-budgets.js'
import { overBudgetText } from './report/verdict-line.js'
import { newlyTaggedLine } from './report/newly-tagged.js'
import { formatBytes } from './size.js'
import { measurementKey, runSession, type RunSession } from './run-session.js'
import { markReporter } from './vitest-internals/tasks.js'
import { namesOwnPool, projectPoolName, ranOnPool } from './vitest-internals/pool-config.js'

export class MemoryReporter implements Reporter {
  private vitest: Vitest | undefined
  private startedAt = Date.now()
  /** The run's memory verdict (over budget, crashed, killed), repeated as the output's last lines. */
  private verdict: string[] = []
  /** The --compare-to report as it was when the run started: this run may write over it. */
  private baseline: Baseline | null | undefined

  constructor() {
    markReporter(this)
  }

  onInit(vitest: Vitest): void {
    this.vitest = vitest
    this.startedAt = Date.now()
    // Added by the pool mid-run (no reporter was configured), this is still before any output.
    this.baseline = this.readBaseline()
  }

  onTestRunStart(): void {
    this.startedAt = Date.now()
    this.verdict = []
    // The previous run's end() left the session clean.
    runSession().begin()
    this.baseline = this.readBaseline()
    this.claimReport()
  }

  /** Null without --compare-to; never throws (a bad option is reported when the run ends). */
  private readBaseline(): Baseline | null | undefined {
    if (!this.vitest) return undefined
    try {
      return readBaseline(runSession().options(this.vitest.config.root).compareTo)
    } catch {
      return undefined
    }
  }

  /** Holds the report path for this run, so a second run at once writes its own file instead. */
  private claimReport(): void {
    const state = runSession()
    if (!this.vitest || state.reportClaim) return
    let path: string
    try {
      path = state.options(this.vitest.config.root).reportPath
    } catch {
      return // a bad option is reported where the options are resolved for the run
    }
    try {
      state.reportClaim = claimReportPath(path)
    } catch {
      // The claim's lock cannot be made (a file where the folder should be): the report's own
      // write says so in one line when the run ends.
      return
    }
    // A run that ends without reaching onTestRunEnd (an error, a signal) still lets go of it.
    onProcessExit(() => runSession().reportClaim?.release())
  }

  /** The run's report from the session's data; the session is ended after it, whatever happens. */
  async onTestRunEnd(testModules: ReadonlyArray<TestModule>): Promise<void> {
    const state = runSession()
    try {
      await this.endRun(state, testModules)
    } finally {
      state.end()
    }
  }

  private async endRun(state: RunSession, testModules: ReadonlyArray<TestModule>): Promise<void> {
    const spares = state.scheduling?.spares?.stats
    // The spares go first: they would only take CPU and memory from writing the report.
    state.scheduling?.end()
    // vm mode: each live process's last file is settled now (no next file did it), before the report.
    await Promise.all([...state.liveWorkers].map(worker => worker.settleLastFile()))
    const vitest = this.vitest
    // An asked-for journal that could not be written was said when it failed; it fails the run here.
    const journalFailed = endRunJournal()
    if (!vitest) return
    const ours = testModules.filter(m => ranOnPool(m, POOL_NAME))
    const unmeasured = unmeasuredLine(testModules.filter(m => !ranOnPool(m, POOL_NAME)))
    if (ours.length === 0) {
      if (unmeasured) vitest.logger.log(unmeasured)
      return
    }
    const root = vitest.config.root
    const claim = state.reportClaim
    const resolved = state.options(root)
    const options = claim ? { ...resolved, reportPath: claim.path } : resolved
    const baseline = this.baseline !== undefined ? this.baseline : readBaseline(options.compareTo)
    this.baseline = undefined
    const report = this.buildReport(state, ours, options, root)
    if (spares) report.run.spares = { ...spares }
    await collectProfiles(report, state.measurements, options, { vitest, root })

    // The table first: no output that fails to be written may hide it.
    vitest.logger.log(renderTable(report, options.top) + renderProfiles(report))
    const fit = fitLine(report, options.historyPath)
    if (fit) vitest.logger.log(pc.dim(`${fit}\n`))
    if (unmeasured) vitest.logger.log(`${unmeasured}\n`)
    const newly = newlyTaggedLine(report)
    if (newly) vitest.logger.log(pc.yellow(`${newly}\n`))
    const out = new OutputWriter(vitest.logger)
    if (
      out.write('the JSON report', options.reportPath, options.askedFor.report, () =>
        writeJsonAtomic(options.reportPath, reportToWrite(report, options.reportPath, vitest.config.watch, root)),
      )
    ) {
      vitest.logger.log(pc.dim(` JSON report: ${displayPath(options.reportPath)}\n`))
    }
    if (claim?.note) vitest.logger.warn(pc.yellow(claim.note))
    claim?.release()
    state.reportClaim = null
    await this.recordHistory(report, options, root, vitest, out)
    this.judgeBudgets(report, vitest)
    this.verdict.push(...deathLines(report))
    const verdict = writeOutputs(report, options, root, vitest.logger, out, baseline)
    if (verdict.baselineUnreadable) process.exitCode = USAGE_EXIT_CODE
    else if (verdict.regression || out.askedForFailed || journalFailed) process.exitCode = 1
  }

  /**
   * Vitest prints the coverage text after every reporter's onTestRunEnd: hundreds of lines that
   * would bury the memory verdict. Vitest calls this (4.1 and 5) once the coverage is reported.
   */
  onFinishedReportCoverage(): void {
    if (this.verdict.length === 0 || !this.vitest) return
    this.vitest.logger.error(['', pc.dim('vitest-memory: the memory verdict again, after the coverage report:'), ...this.verdict].join('\n'))
  }

  private buildReport(state: RunSession, modules: ReadonlyArray<TestModule>, options: ResolvedMemoryOptions, root: string): MemoryReport {
    const { measurements, tagging, timeline } = state
    const files = modules.map(module => {
      const key = measurementKey(module.project.name, module.moduleId)
      // A merged run (--merge-reports) has no pool: the shards' measurements ride on the task's meta.
      const meta = readMemoryMeta(module.meta())
      const measurement = measurements.get(key) ?? meta?.measurement
      return {
        ...buildFileReport(
          {
            file: module.moduleId,
            relativeFile: relative(root, module.moduleId).split('\\').join('/'),
            project: module.project.name,
            vitestState: module.state(),
            durationMs: module.diagnostic().duration ?? null,
            started: state.startedFiles.has(key),
          },
          measurement,
          tagging.get(key),
          testDetails(module, measurement, options.detectLeaks),
          options,
        ),
        ...placementOf(timeline.findSpan(module.project.name, module.moduleId), timeline.startedAt, meta, measurement != null),
      }
    })
    const points = timeline.timeline()
    const shared = sharedProcessesReport(files, state.recycles, timeline.startedAt ?? this.startedAt, options)
    return {
      $schema: schemaRef('report'),
      schemaVersion: SCHEMA_VERSION,
      run: {
        vitestVersion: this.vitest!.version,
        nodeVersion: process.version,
        platform: process.platform,
        ...machineInfo(),
        startedAt: new Date(this.startedAt).toISOString(),
        durationMs: Date.now() - this.startedAt,
        ...(options.maxMemoryBytes != null ? { maxMemoryBytes: options.maxMemoryBytes } : {}),
        ...(options.heapProfile === 'peak' ? { heapProfiledAtPeak: true as const } : {}),
      },
      budgetBytes: options.budgetBytes,
      budgetMode: options.budgetMode,
      files,
      ...(points.length > 0 ? { timeline: points } : {}),
      ...(shared ? { sharedProcesses: shared } : {}),
    }
  }

  private async recordHistory(report: MemoryReport, options: ResolvedMemoryOptions, root: string, vitest: Vitest, out: OutputWriter): Promise<void> {
    if (!options.historyPath) return
    const measured = report.files
      .filter(f => f.peakRssBytes != null)
      .map(f => ({
        project: f.project,
        file: f.file,
        run: { at: report.run.startedAt, peakRssBytes: f.peakRssBytes, treePeakRssBytes: f.treePeakRssBytes, durationMs: f.durationMs, state: f.state },
      }))
    if (measured.length === 0) return
    try {
      // Its folder first: a file in the way would otherwise read as the history's lock held by another run.
      makeDirFor(options.historyPath)
      const warning = await recordHistory(options.historyPath, root, measured)
      if (warning) vitest.logger.warn(pc.yellow(warning))
    } catch (error) {
      out.failed('the history', options.historyPath, options.askedFor.history, error)
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
      const lines = over.map(f => `  ${label(f)} ${overBudgetText(f)}`)
      vitest.logger.error(color([head, ...lines].join('\n')))
      this.verdict.push(color(head), ...lines.map(line => color(line)))
    }
    if (overTests.length > 0) {
      const head = `vitest-memory: ${overTests.length} test${overTests.length === 1 ? '' : 's'} over ${overTests.length === 1 ? 'its' : 'their'} memory budget${fail ? '' : ' (warning only)'}:`
      vitest.logger.error(color([head, ...overTests].join('\n')))
      this.verdict.push(color(head), ...overTests.map(line => color(line)))
    }
    if (fail) process.exitCode = 1
  }
}

/** Files that ran outside the memory pool, grouped by why: a silent gap would read as "all measured". */
function unmeasuredLine(modules: readonly TestModule[]): string | null {
  if (modules.length === 0) return null
  const groups = new Map<string, number>()
  for (const module of modules) {
    const reason = whyUnmeasured(module)
    groups.set(reason, (groups.get(reason) ?? 0) + 1)
  }
  const parts = [...groups].map(([reason, n]) => `${reason} (${n} file${n === 1 ? '' : 's'})`)
  return pc.yellow(` vitest-memory: ${modules.length} file${modules.length === 1 ? '' : 's'} not measured: ${parts.join('; ')}`)
}

function whyUnmeasured(module: TestModule): string {
  const project = module.project.name ? `project ${module.project.name}` : 'the root project'
  if ((module as unknown as { task?: { meta?: { typecheck?: boolean } } }).task?.meta?.typecheck)
    return `${project}: --typecheck files run in Vitest's typescript pool`
  if (module.project.config.browser?.enabled) return `${project}: browser mode runs in the browser`
  return `${project} ${namesOwnPool(module.project) ? 'names' : 'inherits'} pool '${projectPoolName(module.project)}', which vitest-memory cannot stand in for`
}

/** One line per crashed or killed file: the run's end must not hide them. */
function deathLines(report: MemoryReport): string[] {
  const dead = report.files.filter(f => f.state === 'crash' || f.state === 'killed')
  if (dead.length === 0) return []
  const head = `vitest-memory: ${dead.length} file${dead.length === 1 ? '' : 's'} crashed or killed:`
  const lines = dead.map(
    f =>
      `  ${label(f)} ${f.state === 'killed' ? 'killed at its memory limit' : 'crashed'}${f.signal ? ` (${f.signal})` : f.exitCode != null ? ` (exit ${f.exitCode})` : ''}${f.crash?.cause ? `, ${f.crash.cause}` : ''}, peak ${formatBytes(f.treePeakRssBytes)}`,
  )
  return [pc.red(head), ...lines.map(line => pc.red(line))]
}
