// The run-wide scheduling objects the pool's workers share: the memory admission gate (with its
// predictions from history) and the spare processes. They live on globalThis (under their own
// registered symbol) so the reporter, loaded through another module graph, can end them.
import pc from 'picocolors'
import { AdmissionGate, predictPeak, type AdmissionStatus } from '../policy/admission.js'
import { entryKey, historyIndex, lastPeak, peekHistory } from '../record/history.js'
import type { ResolvedMemoryOptions } from '../options.js'
import { SpareProcesses } from '../pool/spares.js'
import { formatBytes } from '../size.js'

/** While files wait for room, memory readings are re-checked this often. */
const REEVALUATE_MS = 100
/** The "waiting for memory" line is printed at most this often. */
const WAIT_NOTICE_MS = 2_000

export interface RunScheduling {
  gate: AdmissionGate | null
  spares: SpareProcesses | null
  predict(project: string, relativeFile: string): number
  /** Ends spares and timers; the next run starts afresh. */
  end(): void
}

interface Logger {
  log(...args: unknown[]): void
}

const KEY = Symbol.for('vitest-memory.scheduling')
type Holder = { [KEY]?: RunScheduling }

export function runScheduling(options: ResolvedMemoryOptions, logger: Logger): RunScheduling {
  const holder = globalThis as Holder
  holder[KEY] ??= createScheduling(options, logger)
  return holder[KEY]
}

/** Ends the current run's scheduling (spares killed); called by the reporter at run end. */
export function endRunScheduling(): void {
  const holder = globalThis as Holder
  holder[KEY]?.end()
  holder[KEY] = undefined
}

function createScheduling(options: ResolvedMemoryOptions, logger: Logger): RunScheduling {
  const spares = options.spareProcesses > 0 ? new SpareProcesses(options.spareProcesses) : null
  const history = options.historyPath ? peekHistory(options.historyPath) : null
  const index = history ? historyIndex(history) : new Map()
  const known = history ? history.entries.map(lastPeak).filter((p): p is number => p != null) : []

  let lastNotice = 0
  const notice = (status: AdmissionStatus) => {
    const now = Date.now()
    if (now - lastNotice < WAIT_NOTICE_MS) return
    lastNotice = now
    logger.log(pc.yellow(`vitest-memory: waiting for memory: ${formatBytes(status.inUseBytes)} / ${formatBytes(status.ceilingBytes)} in use (${status.running} running, ${status.waiting} waiting)`))
  }
  const gate = options.maxMemoryBytes != null
    ? new AdmissionGate(options.maxMemoryBytes, () => spares?.rssBytes() ?? 0, notice)
    : null
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
