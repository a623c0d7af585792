// The run's lifecycle outside any one file: the journal's first and last lines, and what happens
// when the runner itself is stopped with SIGTERM/SIGINT (a CI timeout, Ctrl+C).
//
// Vitest's own CLI handles those signals in its logger: it sets exitCode 128+signal and exits
// 1 ms later, without stopping its workers. This handler cooperates: it does its work
// synchronously within the same signal dispatch (kill every test process tree, append the
// `aborted` line, write the partial JSON report), sets the same exit code, and only exits itself
// if nobody else does.
import { constants } from 'node:os'
import type { Vitest } from 'vitest/node'
import { machineInfo } from '../measure/machine.js'
import { readStartTime } from '../measure/procfs.js'
import { optionsFromEnv, resolveOptions, type ResolvedMemoryOptions } from '../options.js'
import { writeFailure } from '../record/atomic-write.js'
import { displayPath } from '../record/display-path.js'
import { Journal } from '../record/journal.js'
import { outputKind } from '../record/output-path.js'
import { writePartialReport } from '../record/partial.js'
import { claimOutputPath, onProcessExit, type ReportClaim } from '../record/report-claim.js'
import { schemaRef } from '../record/schemas.js'
import { sharedState } from '../state.js'

const HANDLER_MARK = Symbol.for('vitest-memory.abort-handler')
/** If no other handler ends the process after a signal, this one does, this much later. */
const EXIT_FALLBACK_MS = 200

let currentVitest: Vitest | undefined

/** Opens the run's journal (once per run) and makes sure a stopped runner leaves no orphans. */
export function ensureRunJournal(vitest: Vitest, options: ResolvedMemoryOptions): void {
  currentVitest = vitest
  installAbortHandler()
  const state = sharedState()
  if (state.journal || state.journalFailure || !options.journalPath) return
  const say = (line: string) => options.askedFor.journal ? vitest.logger.error(line) : vitest.logger.warn(line)
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
  journalClaim = claim
  if (claim?.note) vitest.logger.warn(claim.note)
  state.journal.write({
    t: 'run',
    $schema: schemaRef('journal-entry'),
    at: state.journal.startedAt,
    pid: process.pid,
    startTime: readStartTime(process.pid),
    argv: process.argv,
    cwd: process.cwd(),
    limitBytes: options.limitBytes,
    limits: options.limits,
    ...machineInfo(),
  })
}

/** The claim on the journal's path this run holds (a second run at once writes journal.<pid>.jsonl). */
let journalClaim: ReportClaim | null = null

/** A FIFO or a device is no file two runs could rotate away from each other: it is not claimed. */
function claimJournal(path: string): ReportClaim | null {
  if (outputKind(path) === 'in-place') return null
  let claim: ReportClaim
  try {
    claim = claimOutputPath(path, 'journal')
  } catch {
    return null // no lock can be made there: the journal's own open says why, if it fails too
  }
  onProcessExit(() => journalClaim?.release(), 'journal')
  return claim
}

function releaseJournal(): void {
  journalClaim?.release()
  journalClaim = null
}

/** The run ended normally (called by the reporter). True when a journal the user asked for could not be written. */
export function endRunJournal(): boolean {
  const state = sharedState()
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
  const state = sharedState()
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
  const vitest = currentVitest
  if (vitest) {
    try {
      const options = resolveOptions(state.configOptions ?? {}, optionsFromEnv(), state.cliOptions, vitest.config.root)
      const partial = writePartialReport(vitest, options, signal, journal?.startedAt ?? Date.now())
      process.stderr.write(`\nvitest-memory: stopped by ${signal}; ${running.length ? `killed ${running.map(r => r.file).join(', ')}; ` : ''}partial report in ${partial} (the last complete report is kept)\n`)
    } catch (error) {
      process.stderr.write(`vitest-memory: could not write the partial report: ${writeFailure(error)}\n`)
    }
  }
  process.exitCode ??= 128 + (constants.signals[signal] ?? 0)
  setTimeout(() => process.exit(), EXIT_FALLBACK_MS)
}
