// The run session: one object that holds a run from its start to its end. Vitest loads the config
// (and so the pool) and the reporters through different module graphs, so a module-level variable
// would be seen by only one of them: the session lives on globalThis under a registered symbol.
//
// It sits low (above options/, below record/ and pool/): objects of higher layers are held by type
// only, and created by their own layer. Who opens and who closes each thing:
//
//   thing                 opened by                                  closed by
//   options (by project)  the first to ask (session.options)        end()
//   journal               the CLI early, or the pool's first worker  the reporter (endRunJournal), an
//                         (pool/abort.ts)                            abort or the exit line (abort.ts); end() as a backstop
//   scheduling (gate,     the pool's first worker                    end() (spares killed, timer cleared)
//   spares)               (pool/run-scheduling.ts)
//   timeline              the session                                end() (running files stay)
//   measurements, tagging the pool's workers write them              end()
//   report claim          the reporter at run start                  the reporter after the JSON; end() as a backstop
//
// begin() is called by the reporter when the run starts and by the pool when it first needs the
// run's objects (a reporter the pool added mid-run missed the start); end() by the reporter when
// the run ends, so a second run in watch mode starts clean. What outlives a run is the process's:
// the options the config and the command line gave, the processes alive now, the Vitest instance.
import { appendFileSync } from 'node:fs'
import type { Vitest } from 'vitest/node'
import { RunTimeline } from './measure/run-timeline.js'
import type { FileMeasurement, FileTagging, QueuedFile, RecycleRecord } from './model.js'
import { optionsFromEnv, resolveOptions, type MemoryPoolOptions, type ResolvedMemoryOptions } from './options.js'
import type { Journal } from './record/journal.js'
import type { ReportClaim } from './record/report-claim.js'
import type { AdmissionGate } from './policy/admission.js'
import type { SpareProcesses } from './pool/spares.js'

/** A test file's process the pool started and has not seen exit: killed if the runner is stopped. */
export interface LiveWorker {
  /** Kills the process tree at once (synchronously) and says what it was running. */
  abort(signal: NodeJS.Signals): { file: string; pid: number; treeRssBytes: number | null; runningMs: number } | null
  /** vm mode: what the process's last file left, read before the run's report. */
  settleLastFile(): Promise<void>
}

/** The run-wide scheduling objects every worker shares (made by pool/run-scheduling.ts). */
export interface RunScheduling {
  gate: AdmissionGate | null
  spares: SpareProcesses | null
  predict(project: string, relativeFile: string): number
  /** Ends spares and timers (the session's end() calls it); the next run starts afresh. */
  end(): void
}

/** Where pools were named, recorded by the CLI before Vitest resolves its projects (pool/pool-choice.ts reads them). */
export interface PoolOrigins {
  /** `--pool` on the command line. */
  cli?: string
  /** The root config's `test.pool`, when it names one of Vitest's pools. */
  root?: string
  /** Names of inline projects whose own config names a pool. */
  ownPool: Set<string>
}

/** How the run's journal was opened (pool/abort.ts reads and writes it). */
export interface JournalOpening {
  /** The journal path the open journal (or its failure) is for, as the options gave it (before a claim). */
  requested: string | null
  /** The folder this run made for its journal (removed again when the journal is undone and it is empty). */
  madeFolder: string | null
  /** The limits the run line recorded: the pool's options may add the config's. */
  limits: string
  /** The journal was opened by the CLI and the pool has not confirmed it yet. */
  openedEarly: boolean
  /** The claim on the journal's path (a second run at once writes journal.<pid>.jsonl). */
  claim: ReportClaim | null
}

/**
 * Tests only: a file that end() appends the run's count of option resolutions to, one line a run
 * (test/run-session.e2e.test.ts proves that options are resolved once per project, not per file).
 */
export const RESOLUTIONS_HOOK_ENV = 'VITEST_MEMORY_TEST_RESOLUTIONS_FILE'

/** The options of a run asked for without a memoryPool() argument: one key for all such asks. */
const NO_CONFIG: MemoryPoolOptions = Object.freeze({})

const closedJournal = (): JournalOpening => ({ requested: null, madeFolder: null, limits: '', openedEarly: false, claim: null })

export class RunSession {
  // ---- the process's, kept across runs ----
  /** Options given by memoryPool() in the config. */
  configOptions: MemoryPoolOptions | null = null
  /** Options given on the vitest-memory command line. */
  cliOptions: MemoryPoolOptions = {}
  /** Every test file process alive now, across pools and projects (a shared one may stop after its run). */
  readonly liveWorkers = new Set<LiveWorker>()
  /** Set once the runner got SIGTERM/SIGINT: deaths after that are not crashes; the process is ending. */
  aborting: NodeJS.Signals | null = null
  /** The Vitest instance the pool runs under (the abort handler writes its partial report). */
  vitest: Vitest | undefined
  /** Where pools were named (pool/pool-choice.ts): the CLI records them before Vitest resolves its projects. */
  poolOrigins: PoolOrigins | null = null

  // ---- the run's, cleared by end() ----
  /** Between begin() and end(). */
  active = false
  /** Measurements of the run, by `${project}\0${file}`. */
  readonly measurements = new Map<string, FileMeasurement>()
  /** Tags of the run's files (and why a file was not started), same keys. */
  readonly tagging = new Map<string, FileTagging>()
  /** Files handed to a process, same keys: the others never ran (--bail, cancel). */
  readonly startedFiles = new Set<string>()
  /** The run's files in start order, when the sequencer recorded it. */
  queue: QueuedFile[] | undefined
  /** Shared processes (isolate: false) started in this run: numbers them. */
  sharedProcesses = 0
  /** Shared processes replaced in this run because of what they held. */
  recycles: RecycleRecord[] = []
  /** The report path this run holds (report.<pid>.json when another run held the usual one). */
  reportClaim: ReportClaim | null = null
  /** The flight recorder of the run. */
  journal: Journal | null = null
  /** Set when this run's journal could not be opened (said once; fails the run when asked for). */
  journalFailure: { askedFor: boolean } | null = null
  journalOpening: JournalOpening = closedJournal()
  /** The --max-memory gate and the spare processes, made by the pool's first worker. */
  scheduling: RunScheduling | null = null
  /** Which file ran in which slot when, and the summed RSS over time. */
  readonly timeline = new RunTimeline()
  /** The pool-choice lines said in this run (each once, however many projects share the choice). */
  readonly poolLines = new Set<string>()
  /** Option resolutions of this run (what the tests' hook counts). */
  resolutions = 0
  private readonly resolved = new Map<MemoryPoolOptions, Map<string, ResolvedMemoryOptions>>()

  /** The run starts (idempotent while it runs). Nothing is cleared here: end() left the session clean. */
  begin(): this {
    this.active = true
    return this
  }

  /**
   * The options for a project: `config` is its memoryPool() argument (the config's by default),
   * `root` its root. Resolved once per run; throws the UsageError of a bad option (not cached).
   */
  options(root: string, config: MemoryPoolOptions = this.configOptions ?? NO_CONFIG): ResolvedMemoryOptions {
    let byRoot = this.resolved.get(config)
    if (!byRoot) {
      byRoot = new Map<string, ResolvedMemoryOptions>()
      this.resolved.set(config, byRoot)
    }
    let options = byRoot.get(root)
    if (!options) {
      this.resolutions++
      options = resolveOptions(config, optionsFromEnv(), this.cliOptions, root)
      byRoot.set(root, options)
    }
    return options
  }

  /** Closes and clears everything of the run; the next begin() starts clean. */
  end(): void {
    this.scheduling?.end()
    this.scheduling = null
    // Backstops: the reporter and pool/abort.ts close these themselves, with their last lines.
    this.journal?.close()
    this.journal = null
    this.journalFailure = null
    this.journalOpening.claim?.release()
    this.journalOpening = closedJournal()
    this.reportClaim?.release()
    this.reportClaim = null
    this.measurements.clear()
    this.tagging.clear()
    this.startedFiles.clear()
    this.queue = undefined
    this.sharedProcesses = 0
    this.recycles = []
    this.timeline.clear()
    this.poolLines.clear()
    const hook = process.env[RESOLUTIONS_HOOK_ENV]
    if (hook) appendFileSync(hook, `${this.resolutions}\n`)
    this.resolutions = 0
    this.resolved.clear()
    this.active = false
  }
}

const KEY = Symbol.for('vitest-memory.run-session')

/** The process's run session (one for every module graph that loads this file). */
export function runSession(): RunSession {
  const holder = globalThis as { [KEY]?: RunSession }
  holder[KEY] ??= new RunSession()
  return holder[KEY]
}

export function measurementKey(project: string, file: string): string {
  return `${project}\0${file}`
}
