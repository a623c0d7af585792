// The run's lifecycle outside any one file: the journal's first and last lines, and what happens
// when the runner itself is stopped with SIGTERM/SIGINT (a CI timeout, Ctrl+C).
//
// Vitest's own CLI handles those signals in its logger: it sets exitCode 128+signal and exits
// 1 ms later, without stopping its workers. This handler cooperates: it does its work
// synchronously within the same signal dispatch (kill every test process tree, append the
// `aborted` line, write the partial JSON report), sets the same exit code, and only exits itself
// if nobody else does.
import { existsSync, readFileSync, rmdirSync, rmSync } from 'node:fs'
import { STATE_DIR_GITIGNORE } from '../state-dir.js'
import { constants } from 'node:os'
import { dirname, join } from 'node:path'
import type { Vitest } from 'vitest/node'
import { USAGE_EXIT_CODE } from '../errors.js'
import { machineInfo } from '../measure/machine.js'
import { readStartTime } from '../measure/procfs.js'
import type { ResolvedMemoryOptions } from '../options.js'
import { writeFailure } from '../record/atomic-write.js'
import { displayPath } from '../record/display-path.js'
import { Journal } from '../record/journal.js'
import { writePartialReport } from '../record/partial.js'
import { claimOutputPath, onProcessExit, type ReportClaim } from '../record/report-claim.js'
import { schemaRef } from '../schema-ref.js'
import { runSession } from '../run-session.js'

const HANDLER_MARK = Symbol.for('vitest-memory.abort-handler')
/** If no other handler ends the process after a signal, this one does, this much later. */
const EXIT_FALLBACK_MS = 200

interface JournalLogger {
  error: (line: string) => void
  warn: (line: string) => void
}

/**
 * The CLI opens the journal first thing, before Vitest loads the config: a signal in the run's
 * first second is then this run's story, not the previous run's. The pool confirms it, or
 * replaces it when the config names another journal.
 */
export function openRunJournalEarly(options: ResolvedMemoryOptions): void {
  installAbortHandler()
  installExitLine()
  openJournal(options, { error: line => console.error(line), warn: line => console.warn(line) })
  runSession().journalOpening.openedEarly = true
}

/** Opens the run's journal (once per run) and makes sure a stopped runner leaves no orphans. */
export function ensureRunJournal(vitest: Vitest, options: ResolvedMemoryOptions): void {
  const state = runSession().begin()
  state.vitest = vitest
  installAbortHandler()
  installExitLine()
  const opening = state.journalOpening
  // Only the first worker confirms: later projects (other roots) share the run's journal, as before.
  const confirming = opening.openedEarly
  opening.openedEarly = false
  if (confirming && (state.journal || state.journalFailure) && opening.requested !== options.journalPath) {
    // Opened early for a path the config changed (or turned off): undone, the previous journal put back.
    state.journal?.discard()
    state.journal = null
    state.journalFailure = null
    releaseJournal()
  }
  if (confirming && state.journal && opening.limits !== limitsOf(options)) writeRunLine(state.journal, options)
  if (state.journal || state.journalFailure || !options.journalPath) return
  openJournal(options, vitest.logger)
}

function openJournal(options: ResolvedMemoryOptions, logger: JournalLogger): void {
  const state = runSession()
  if (state.journal || state.journalFailure || !options.journalPath) return
  const opening = state.journalOpening
  opening.requested = options.journalPath
  opening.madeFolder = existsSync(dirname(options.journalPath)) ? null : dirname(options.journalPath)
  const say = (line: string) => (options.askedFor.journal ? logger.error(line) : logger.warn(line))
  const failed = (path: string, error: unknown, after = '') => {
    // Said once per run; the run goes on without it (and fails at the end when it was asked for).
    state.journalFailure = { askedFor: options.askedFor.journal }
    say(`vitest-memory: could not write the journal ${displayPath(path)}: ${writeFailure(error)}${after}`)
  }
  let claim: ReportClaim | null = null
  try {
    claim = claimJournal(options.journalPath)
    const path = claim?.path ?? options.journalPath
    state.journal = new Journal(path, error => failed(path, error, '; the journal stops there'))
  } catch (error) {
    claim?.release()
    failed(claim?.path ?? options.journalPath, error)
    return
  }
  opening.claim = claim
  if (claim?.note) logger.warn(claim.note)
  writeRunLine(state.journal, options)
}

function limitsOf(options: ResolvedMemoryOptions): string {
  return JSON.stringify([options.limitBytes, options.limits])
}

function writeRunLine(journal: Journal, options: ResolvedMemoryOptions): void {
  runSession().journalOpening.limits = limitsOf(options)
  journal.write({
    t: 'run',
    $schema: schemaRef('journal-entry'),
    at: journal.startedAt,
    pid: process.pid,
    startTime: readStartTime(process.pid),
    argv: process.argv,
    cwd: process.cwd(),
    limitBytes: options.limitBytes,
    limits: options.limits,
    ...machineInfo(),
  })
}

const EXIT_LINE_MARK = Symbol.for('vitest-memory.journal-exit-line')

/**
 * A runner that exits with its journal still open (a config that fails to load, an error Vitest
 * cannot recover from) says so in an `exit` line: `why` must not blame a SIGKILL for it. A usage
 * error (exit 2) ran nothing: its journal is undone and the previous one put back.
 */
function installExitLine(): void {
  const holder = process as unknown as Record<symbol, boolean>
  if (holder[EXIT_LINE_MARK]) return
  holder[EXIT_LINE_MARK] = true
  process.once('exit', code => {
    const state = runSession()
    const journal = state.journal
    if (!journal) return
    state.journal = null
    const madeFolder = state.journalOpening.madeFolder
    if (code === USAGE_EXIT_CODE) {
      releaseJournal()
      journal.discard()
      try {
        if (madeFolder) {
          // The folder this run made holds only our .gitignore then (state-dir.ts): both go.
          const ignore = join(madeFolder, '.gitignore')
          if (existsSync(ignore) && readFileSync(ignore, 'utf8') === STATE_DIR_GITIGNORE) rmSync(ignore)
          rmdirSync(madeFolder)
        }
      } catch {
        // it holds something else now: kept
      }
      return
    }
    journal.write({ t: 'exit', at: Date.now(), exitCode: typeof code === 'number' ? code : null })
    journal.close()
  })
}

/** A FIFO or a device is no file two runs could rotate away from each other: it is not claimed (claimOutputPath knows). */
function claimJournal(path: string): ReportClaim | null {
  let claim: ReportClaim
  try {
    claim = claimOutputPath(path, 'journal')
  } catch {
    return null // no lock can be made there: the journal's own open says why, if it fails too
  }
  onProcessExit(() => runSession().journalOpening.claim?.release(), 'journal')
  return claim
}

function releaseJournal(): void {
  const opening = runSession().journalOpening
  opening.claim?.release()
  opening.claim = null
}

/** The run ended normally (called by the reporter). True when a journal the user asked for could not be written. */
export function endRunJournal(): boolean {
  const state = runSession()
  const journal = state.journal
  if (journal) {
    journal.write({ t: 'run-end', at: Date.now(), durationMs: Date.now() - journal.startedAt })
    journal.close()
    state.journal = null
    releaseJournal()
  }
  // Read after the last line: it may be the one a full disk refused.
  const failedAskedFor = state.journalFailure?.askedFor === true
  state.journalFailure = null
  return failedAskedFor
}

function installAbortHandler(): void {
  const holder = process as unknown as Record<symbol, boolean>
  if (holder[HANDLER_MARK]) return
  holder[HANDLER_MARK] = true
  for (const signal of ['SIGTERM', 'SIGINT'] as const) process.once(signal, () => onAbort(signal))
}

function onAbort(signal: NodeJS.Signals): void {
  const state = runSession()
  state.aborting = signal
  const running = []
  for (const worker of state.liveWorkers) {
    const file = worker.abort(signal)
    if (file) running.push(file)
  }
  state.liveWorkers.clear()
  const journal = state.journal
  journal?.write({ t: 'aborted', at: Date.now(), signal, running })
  journal?.close()
  state.journal = null
  releaseJournal()
  const vitest = state.vitest
  if (vitest) {
    try {
      const options = state.options(vitest.config.root)
      const partial = writePartialReport(vitest, options, signal, journal?.startedAt ?? Date.now())
      process.stderr.write(
        `\nvitest-memory: stopped by ${signal}; ${running.length ? `killed ${running.map(r => r.file).join(', ')}; ` : ''}partial report in ${partial} (the last complete report is kept)\n`,
      )
    } catch (error) {
      process.stderr.write(`vitest-memory: could not write the partial report: ${writeFailure(error)}\n`)
    }
  }
  process.exitCode ??= 128 + (constants.signals[signal] ?? 0)
  setTimeout(() => process.exit(), EXIT_FALLBACK_MS)
}
