// Watches one test file while its process runs: enforces the hard limit on every tree sample,
// writes the journal's lines for the file, and when the process dies before the file finished,
// turns the death into a measurement and a FAILED file in Vitest with the likely cause.
// What it reports goes to its injected sink (worker-ports.ts), so it can be driven with fakes.
import type { TestProject } from 'vitest/node'
import type { TreeSample } from '../measure/sampler.js'
import type { FileBudget } from '../policy/budget.js'
import { classifyCrash, crashMessage, OWN_PROCESS, type CrashFacts, type LimitBreach } from '../policy/crash.js'
import { isOverLimit, nextSampleIntervalMs, type FileLimit, type PreviousSample } from '../policy/limit.js'
import { PeakProfileLink } from './peak-link.js'
import { peakLabel, siteSummary } from '../profile/site-text.js'
import { SAMPLE_EVERY_MS, SAMPLE_MIN_CHANGE_BYTES } from '../record/journal.js'
import { messageOf } from '../errors.js'
import type { FileMeasurement, SharedRun } from '../model.js'
import { verdictAnnotation } from '../record/verdict-annotations.js'
import { TestTreeWindows } from './test-tree.js'
import type { OrchestratorDeps, PoolProcess, ProcessSampler } from './worker-ports.js'

/** Enough of the end of stderr to hold V8's fatal heap message and its stack. */
const STDERR_TAIL_BYTES = 16 * 1024
/** Output a dead process left in its pipes is read for at most this long. */
const CLOSE_WAIT_MS = 2000

export class FileWatch {
  /** True once the process died mid-file: this watch reports the file, nobody else. */
  handlesDeath = false
  private pid = 0
  private sampler: ProcessSampler | undefined
  private process: PoolProcess | undefined
  private breach: LimitBreach | null = null
  private stderrTail = ''
  private oomKillsAtStart: number | null = null
  private lastJournaled: { at: number; treeRssBytes: number } | null = null
  private startTimeout: string | null = null
  /** The last sample: whether the file grows decides how fast it is sampled under a limit. */
  private previousSample: PreviousSample | null = null
  /** The test the process said it started last (protocol.ts): the one running if it dies. */
  private lastTestStart: { id: string; at: number } | null = null
  /** Set when the file runs in a shared process: where, and what the process held at its start. */
  shared: SharedRun | null = null
  /** --heap-profile=peak: the link to what the process flushes, else null. */
  private readonly peak: PeakProfileLink | null
  /** Each test's window on the tree samples: what its subprocesses held is charged to it. */
  readonly tests = new TestTreeWindows()

  constructor(
    private readonly project: TestProject,
    private readonly file: string,
    private readonly relativeFile: string,
    private startedAt: number,
    private readonly budget: FileBudget | null,
    readonly limit: FileLimit | null,
    /** Attach a killed verdict to the test that was running, as a Vitest annotation. */
    private readonly annotations: boolean,
    /** Where processes profiling at their peak flush (--heap-profile=peak), else null. */
    peakDir: string | null,
    /** The run's sampleIntervalMs: the pace of a file without a limit, or flat and far below it. */
    private readonly baseSampleIntervalMs: number,
    private readonly deps: OrchestratorDeps,
  ) {
    this.peak = peakDir ? new PeakProfileLink(peakDir, project, relativeFile) : null
  }

  /** A process is starting for the file (or a spare is being handed over): journaled so a stall names the file. */
  booting(pid: number): void {
    this.pid = pid
    this.deps.run.journal({ t: 'file-boot', at: this.deps.clock.now(), file: this.relativeFile, project: this.project.name, pid })
  }

  /** The file was handed to a live process: its time and measurement start now. */
  started(process: PoolProcess): void {
    if (this.sampler) return
    const { pid, sampler } = process
    this.pid = pid
    this.process = process
    this.sampler = sampler
    sampler.setInterval(nextSampleIntervalMs(this.limit, this.baseSampleIntervalMs, null, null))
    this.startedAt = this.deps.clock.now()
    this.oomKillsAtStart = this.deps.machine.oomKills(this.shared !== null)
    this.deps.run.journal({
      t: 'file-start',
      at: this.deps.clock.now(),
      file: this.relativeFile,
      project: this.project.name,
      pid,
      limitBytes: this.limit?.bytes ?? null,
    })
  }

  testStarted(testId: string): void {
    this.lastTestStart = { id: testId, at: this.deps.clock.now() }
    this.tests.started(testId)
  }

  /** The process never finished starting: the pool kills it next, and died() reports why. */
  startTimedOut(detail: string): void {
    this.startTimeout = detail
  }

  limitFields(): Pick<FileMeasurement, 'limitBytes' | 'limitSource'> {
    return { limitBytes: this.limit?.bytes ?? null, limitSource: this.limit?.source ?? null }
  }

  stderr(chunk: Buffer): void {
    this.stderrTail = (this.stderrTail + chunk.toString()).slice(-STDERR_TAIL_BYTES)
  }

  sample(sample: TreeSample): void {
    if (!this.sampler) return
    if (!this.breach && isOverLimit(sample.treeRssBytes, this.limit)) {
      const child = sample.heaviestChild && sample.heaviestChild.rssBytes > sample.rootRssBytes ? sample.heaviestChild.pid : null
      this.breach = {
        treeRssBytes: sample.treeRssBytes,
        limitBytes: this.limit!.bytes,
        limitSource: this.limit!.source,
        afterMs: sample.at - this.startedAt,
        // The file's own process is named as such: its command line is Vitest's fork entry, cut short.
        heaviest: child === null ? `${this.pid} ${OWN_PROCESS}` : `${child} ${this.deps.machine.readCommand(child)}`,
      }
      const kill = () => this.process?.kill()
      // Profiling at the peak: the process's last capture first (bounded), so the killed file has its sites.
      if (this.peak) void this.peak.captureBeforeKill(this.pid).finally(kill)
      else kill()
    }
    this.peak?.poll(this.pid, sample.at)
    if (this.limit) this.sampler.setInterval(nextSampleIntervalMs(this.limit, this.baseSampleIntervalMs, sample, this.previousSample))
    this.previousSample = { at: sample.at, treeRssBytes: sample.treeRssBytes }
    const last = this.lastJournaled
    if (!last || (sample.at - last.at >= SAMPLE_EVERY_MS && Math.abs(sample.treeRssBytes - last.treeRssBytes) >= SAMPLE_MIN_CHANGE_BYTES)) {
      this.lastJournaled = { at: sample.at, treeRssBytes: sample.treeRssBytes }
      this.deps.run.journal({
        t: 'sample',
        at: sample.at,
        file: this.relativeFile,
        pid: this.pid,
        rssBytes: sample.rootRssBytes,
        treeRssBytes: sample.treeRssBytes,
      })
    }
  }

  /** The file finished normally. */
  finished(measurement: FileMeasurement, state: string): void {
    if (this.peak) measurement.peakProfile = this.peak.adopt(this.pid, false)
    this.journalEnd(measurement, state)
  }

  /**
   * The process died before the file finished. Resolves once Vitest has the file as failed.
   * `closed` resolves when the dead process's pipes are drained (V8's last words are on stderr).
   */
  async died(exitCode: number | null, signal: NodeJS.Signals | null, closed: Promise<void>): Promise<void> {
    this.handlesDeath = true
    await Promise.race([closed, new Promise(done => setTimeout(done, CLOSE_WAIT_MS).unref())])
    const durationMs = this.deps.clock.now() - this.startedAt
    const rootPeak = this.sampler?.rootPeakBytes || null
    const treePeak = Math.max(this.sampler?.treePeakBytes ?? 0, rootPeak ?? 0) || null
    const oomKillsNow = this.deps.machine.oomKills(false)
    const facts: CrashFacts = {
      file: this.relativeFile,
      pid: this.pid,
      signal,
      exitCode,
      peakRssBytes: this.breach ? treePeak : (rootPeak ?? treePeak),
      durationMs,
      stderrTail: this.stderrTail,
      limitBreach: this.breach,
      oomKillsWhileRunning: oomKillsNow != null && this.oomKillsAtStart != null ? oomKillsNow - this.oomKillsAtStart : null,
      machineMemoryBytes: this.deps.machine.memoryBytes(),
      startTimeout: this.startTimeout,
    }
    const verdict = classifyCrash(facts)
    const peakProfile = this.peak?.adopt(this.pid, true)
    const message = crashMessage(facts, verdict) + peakSitesText(peakProfile)
    const measurement: FileMeasurement = {
      file: this.file,
      project: this.project.name,
      pid: this.pid,
      method: 'procfs',
      peakRssBytes: rootPeak,
      treePeakRssBytes: treePeak,
      durationMs,
      startedAt: this.startedAt,
      budgetBytes: this.budget?.bytes ?? null,
      budgetSource: this.budget?.source ?? null,
      ...this.limitFields(),
      ...(this.shared ? { shared: this.shared } : {}),
      ...(peakProfile ? { peakProfile } : {}),
      crash: {
        state: verdict.state,
        cause: verdict.cause,
        signal,
        exitCode,
        explanation: verdict.explanation,
        fix: verdict.fix,
        ...(this.breach ? { heaviest: this.breach.heaviest } : {}),
      },
    }
    const { run, vitest } = this.deps
    run.measured(measurement)
    this.journalEnd(measurement, verdict.state)
    // Vitest may not have heard that test start yet (its updates are throttled): it must, for the
    // verdict and the error to land on that test.
    if (this.lastTestStart) await vitest.startTest(this.project, this.lastTestStart.id, this.lastTestStart.at).catch(() => {})
    // A dead file has failed already: only its kill is worth an annotation (budgets judge finished files).
    if (this.annotations && measurement.crash?.state === 'killed')
      vitest.annotateFile(this.project, this.file, verdictAnnotation(measurement, { budgetMode: 'fail', sharedBudget: 'added' }))
    const name = verdict.state === 'killed' ? 'MemoryLimitExceeded' : 'TestFileCrashed'
    try {
      await vitest.failFile(this.project, this.file, { name, message, stack: `${name}: ${message}` }, durationMs)
    } catch (error) {
      // Vitest's internals moved: still say what happened, as an unhandled error.
      vitest.catchError(this.project.vitest, { name, message: `${this.relativeFile}: ${message}` }, 'Test File Crash')
      this.project.vitest.logger.error(`vitest-memory: could not mark ${this.relativeFile} as failed in Vitest: ${messageOf(error)}`)
    }
    // After failFileInVitest, which creates the File task when the file died before announcing it.
    vitest.attachMeasurement(this.project.vitest, measurement)
  }

  /** The runner is being stopped: record what this file was doing, for the partial report. */
  abort(signal: NodeJS.Signals) {
    const last = this.sampler?.last ?? null
    const rootPeak = this.sampler?.rootPeakBytes || null
    const now = this.deps.clock.now()
    this.deps.run.measured({
      file: this.file,
      project: this.project.name,
      pid: this.pid,
      method: 'procfs',
      peakRssBytes: rootPeak,
      treePeakRssBytes: Math.max(this.sampler?.treePeakBytes ?? 0, rootPeak ?? 0) || null,
      durationMs: now - this.startedAt,
      startedAt: this.startedAt,
      budgetBytes: this.budget?.bytes ?? null,
      budgetSource: this.budget?.source ?? null,
      ...this.limitFields(),
      crash: {
        state: 'aborted',
        cause: 'runner-aborted',
        signal,
        exitCode: null,
        explanation: `the runner got ${signal} while this file ran, and killed its process tree`,
        fix: 'run `vitest-memory why` on the journal to see how big the file was and how fast it grew',
      },
    })
    return { file: this.relativeFile, pid: this.pid, treeRssBytes: last?.treeRssBytes ?? null, runningMs: now - this.startedAt }
  }

  private journalEnd(measurement: FileMeasurement, state: string): void {
    this.deps.run.journal({
      t: 'file-end',
      at: this.deps.clock.now(),
      file: this.relativeFile,
      pid: this.pid,
      state,
      peakRssBytes: measurement.peakRssBytes,
      treePeakRssBytes: measurement.treePeakRssBytes,
      durationMs: measurement.durationMs,
      ...(measurement.crash ? { signal: measurement.crash.signal, exitCode: measurement.crash.exitCode, cause: measurement.crash.cause } : {}),
      ...(measurement.treePeakProcesses ? { treePeakProcesses: measurement.treePeakProcesses } : {}),
      ...(this.shared
        ? {
            shared: {
              process: this.shared.process,
              order: this.shared.order,
              startRssBytes: this.shared.startRssBytes,
              retainedBytes: measurement.shared?.retainedBytes ?? null,
              retainedHeapBytes: measurement.shared?.retainedHeapBytes ?? null,
            },
          }
        : {}),
    })
  }
}

/** Shown on the failed file: the lines that held the memory when it died. */
const CRASH_SITES = 3

function peakSitesText(profile: ReturnType<PeakProfileLink['adopt']> | undefined): string {
  if (!profile?.meta || profile.sites.length === 0) return ''
  const label = peakLabel(profile.meta.sampledBytes, profile.meta.capturedAtRssBytes)
  return `\nallocation sites ${label}: ${profile.sites.slice(0, CRASH_SITES).map(siteSummary).join('; ')}`
}
