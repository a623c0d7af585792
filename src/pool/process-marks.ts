// The pool's side of its own marks on a test process's channel (protocol.ts): a batch file's
// boundaries, a vm file's start and what the previous vm file left, a test's start, a verdict
// query. Read here and never forwarded to Vitest; Vitest's own messages go on to the worker.
import type { FileMeasurement } from '../model.js'
import type { VerdictPolicy } from '../policy/verdict.js'
import { fileBoundary, isVmFileStart, startedTestOf, verdictQueryOf, verdictReply, vmRetainedOf, vmSettledOf } from './protocol.js'
import type { RunningFile } from './running-file.js'
import type { SharedBatch } from './shared-batch.js'
import { answerVerdict } from './verdict-answer.js'
import { settleVmFile } from './vm-lifecycle.js'
import type { PoolProcess } from './worker-ports.js'

/** What the worker has now that a mark may concern. */
export interface MarkContext {
  running: RunningFile | undefined
  batch: SharedBatch | null
  /** vm mode: what a file left arrives once the next file started (vm-lifecycle.ts). */
  lastMeasurement: FileMeasurement | undefined
  policy: VerdictPolicy
  /** vm mode: the process answered the run end's settle request (worker.settleLastFile). */
  settled: () => void
}

/** Handles a mark of ours from `process`; false when the message is Vitest's. */
export function readMark(process: PoolProcess, message: unknown, at: MarkContext): boolean {
  const boundary = fileBoundary(message)
  if (boundary) {
    at.batch?.onBoundary(process, boundary)
    return true
  }
  if (isVmFileStart(message)) {
    process.sampler.reset()
    return true
  }
  const late = vmRetainedOf(message)
  if (late) {
    settleVmFile(at.lastMeasurement, late)
    return true
  }
  const settled = vmSettledOf(message)
  if (settled) {
    if (settled.late) settleVmFile(at.lastMeasurement, settled.late)
    at.settled()
    return true
  }
  const startedTest = startedTestOf(message)
  if (startedTest) {
    at.running?.watch.testStarted(startedTest)
    return true
  }
  const query = verdictQueryOf(message)
  if (!query) return false
  // Asked before Vitest settles a file (or a budgeted test): the tree is sampled now and judged by
  // the one verdict (policy/verdict.ts).
  process.sampler.sampleNow()
  process.send(verdictReply(answerVerdict(query, at.running, process.sampler.treePeakBytes, at.policy)))
  return true
}
