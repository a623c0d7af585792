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
import { optionsFromEnv, resolveOptions, type ResolvedMemoryOptions } from '../options.js'
import { writeFailure } from '../record/atomic-write.js'
import { displayPath } from '../record/display-path.js'
import { Journal } from '../record/journal.js'
import { writePartialReport } from '../record/partial.js'
import { schemaRef } from '../schema-ref.js'
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
  try {
    state.journal = new Journal(options.journalPath)
  } catch (error) {
    // Said once per run; the run goes on without it (and fails at the end when it was asked for).
    state.journalFailure = { askedFor: options.askedFor.journal }
    const line = `vitest-memory: could not write the journal ${displayPath(options.journalPath)}: ${writeFailure(error)}`
    if (options.askedFor.journal) vitest.logger.error(line)
    else vitest.logger.warn(line)
    return
  }
  state.journal.write({
    t: 'run',
    $schema: schemaRef('journal-entry'),
    at: state.journal.startedAt,
    pid: process.pid,
    argv: process.argv,
    cwd: process.cwd(),
    limitBytes: options.limitBytes,
    limits: options.limits,
    ...machineInfo(),
  })
}

/** The run ended normally (called by the reporter). True when a journal the user asked for could not be written. */
export function endRunJournal(): boolean {
  const state = sharedState()
  const failedAskedFor = state.journalFailure?.askedFor === true
  state.journalFailure = null
  const journal = state.journal
  if (!journal) return failedAskedFor
  journal.write({ t: 'run-end', at: Date.now(), durationMs: Date.now() - journal.startedAt })
  journal.close()
  state.journal = null
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
