// vm mode's recycling threshold for a project: `recycleAbove` when given, else Vitest's own
// `vmMemoryLimit` (or its default), read as RSS (policy/vm-recycle.ts says why).
import { totalmem } from 'node:os'
import type { TestProject } from 'vitest/node'
import type { ResolvedMemoryOptions } from '../options.js'
import { vmRecycleThreshold } from '../policy/vm-recycle.js'
import type { LateRetained } from '../measure/shared-file.js'
import type { FileMeasurement } from '../model.js'
import { vmSettleRequest } from './protocol.js'
import { resolvedRecycleAbove } from './shared-lifecycle.js'
import type { PoolProcess } from './worker-ports.js'

export function vmLifecycleThreshold(options: ResolvedMemoryOptions, project: TestProject, workers: number): number | null {
  const vmMemoryLimit = (project.config as { vmMemoryLimit?: unknown }).vmMemoryLimit ?? (project.vitest.config as { vmMemoryLimit?: unknown }).vmMemoryLimit
  return vmRecycleThreshold(resolvedRecycleAbove(options, workers), vmMemoryLimit, totalmem(), workers)
}

/**
 * vm mode: what the previous file left, read once Vitest let go of its context (at the next
 * file's start), added to that file's figures before the report is built. The measurement's
 * `shared` object is the one its task meta holds too.
 */
export function settleVmFile(measurement: FileMeasurement | undefined, late: LateRetained): void {
  const shared = measurement?.shared
  if (!shared || shared.order !== late.order) return
  Object.assign(shared, late)
}

/**
 * How long the run's end waits for a vm process to settle its last file (a forced full GC and a
 * reading: ~0.1–1 s in a heap of a few hundred MB here): only a stuck process reaches it, and its
 * file's figures then stay without what it left.
 */
const SETTLE_WAIT_MS = 10_000

/**
 * vm mode, at the run's end: a process's last file has no next file whose start reads what it
 * left. The process settles it when Vitest stops it, or when the pool asks (vmSettleRequest); the
 * run's report waits, bounded, for the answer, whose figure reaches the file through settleVmFile.
 */
export class LastFileSettle {
  private pending: Promise<void> | undefined
  private resolve: (() => void) | undefined

  /** The answer on its way (a stop or a question was sent), or undefined. */
  get waiting(): Promise<void> | undefined {
    return this.pending
  }

  /** A stop went to the process: it answers before Vitest's 'stopped'. */
  expect(): void {
    this.pending ??= new Promise<void>(done => {
      const timer = setTimeout(() => this.answered(), SETTLE_WAIT_MS)
      timer.unref()
      this.resolve = () => {
        clearTimeout(timer)
        this.pending = this.resolve = undefined
        done()
      }
    })
  }

  ask(process: Pick<PoolProcess, 'send'>): Promise<void> {
    this.expect()
    const answer = this.pending!
    process.send(vmSettleRequest())
    return answer
  }

  /** The process answered, died, or the wait ran out. */
  answered(): void {
    this.resolve?.()
  }
}
