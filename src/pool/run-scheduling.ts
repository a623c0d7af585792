// The run-wide scheduling objects the pool's workers share: the memory admission gate (with its
// predictions from history) and the spare processes. The pool's first worker makes them and
// stores them on the run session, whose end() (called by the reporter) ends them.
import { availableParallelism } from 'node:os'
import pc from 'picocolors'
import { availableMemoryBytes } from '../measure/machine.js'
import { AdmissionGate, predictPeak, type AdmissionStatus } from '../policy/admission.js'
import { autoSpareCount, idleCoresFor } from '../policy/spare-count.js'
import { entryKey, historyIndex, lastPeak, peekHistory } from '../record/history.js'
import type { ResolvedMemoryOptions } from '../options.js'
import { SpareProcesses } from './spares.js'
import { formatBytes } from '../size.js'
import { filesToCome, upcomingEnvironments } from '../schedule/queue-forecast.js'
import { runSession, type RunScheduling } from '../run-session.js'

/** While files wait for room, memory readings are re-checked this often. */
const REEVALUATE_MS = 100
/** The "waiting for memory" line is printed at most this often. */
const WAIT_NOTICE_MS = 2_000

interface Logger {
  log(...args: unknown[]): void
}

/** What the run's first worker knows about the run beyond the pool's options. */
export interface RunShape {
  /** Files Vitest runs at once, across the projects of the run (files-at-once.ts). */
  maxWorkers: number
  /** Vitest's dist directory: the builtin environments resolve their libraries from there. */
  distPath: string
}

/** The run's scheduling: made by the first worker that asks, kept on the run session until its end(). */
export function runScheduling(options: ResolvedMemoryOptions, logger: Logger, shape?: RunShape): RunScheduling {
  const session = runSession().begin()
  session.scheduling ??= createScheduling(options, logger, shape)
  return session.scheduling
}

function createScheduling(options: ResolvedMemoryOptions, logger: Logger, shape: RunShape | undefined): RunScheduling {
  const setting = options.spareProcesses
  // Read when spares are filled: the gate exists by then. With every core running a file there is
  // nothing to size, and the memory readings are skipped.
  const autoTarget = (): number => {
    const cpus = availableParallelism()
    const maxWorkers = shape?.maxWorkers ?? 1
    if (idleCoresFor(cpus, maxWorkers) === 0) return 0
    return autoSpareCount({
      cpus,
      maxWorkers,
      filesToCome: filesToCome(),
      preloading: spares?.preloading() ?? false,
      availableMemoryBytes: availableMemoryBytes(),
      roomUnderCeilingBytes: gate ? Math.max(0, gate.ceilingBytes - (gate.inUseBytes() - (spares?.rssBytes() ?? 0)) - gate.waitingBytes()) : null,
      spareBytes: spares?.spareBytes() ?? null,
    })
  }
  const spares: SpareProcesses | null =
    setting === 'auto' || setting > 0
      ? new SpareProcesses({
          setting,
          target: setting === 'auto' ? autoTarget : () => setting,
          upcoming: upcomingEnvironments,
          distPath: shape?.distPath,
        })
      : null
  const history = options.historyPath ? peekHistory(options.historyPath) : null
  const index = history ? historyIndex(history) : new Map()
  const known = history ? history.entries.map(lastPeak).filter((p): p is number => p != null) : []

  let lastNotice = 0
  const notice = (status: AdmissionStatus) => {
    const now = Date.now()
    if (now - lastNotice < WAIT_NOTICE_MS) return
    lastNotice = now
    logger.log(
      pc.yellow(
        `vitest-memory: waiting for memory: ${formatBytes(status.inUseBytes)} / ${formatBytes(status.ceilingBytes)} in use (${status.running} running, ${status.waiting} waiting)`,
      ),
    )
  }
  const gate: AdmissionGate | null = options.maxMemoryBytes != null ? new AdmissionGate(options.maxMemoryBytes, () => spares?.rssBytes() ?? 0, notice) : null
  const timer = gate ? setInterval(() => gate.waiting > 0 && gate.reevaluate(), REEVALUATE_MS).unref() : undefined
  const killSpares = () => spares?.killAll()
  process.on('exit', killSpares)

  return {
    gate,
    spares,
    predict: (project, relativeFile) => predictPeak(lastPeak(index.get(entryKey(project, relativeFile))), known),
    end() {
      clearInterval(timer)
      process.off('exit', killSpares)
      spares?.killAll()
    },
  }
}
