// vm mode's recycling threshold for a project: `recycleAbove` when given, else Vitest's own
// `vmMemoryLimit` (or its default), read as RSS (policy/vm-recycle.ts says why).
import { totalmem } from 'node:os'
import type { TestProject } from 'vitest/node'
import type { ResolvedMemoryOptions } from '../options.js'
import { vmRecycleThreshold } from '../policy/vm-recycle.js'
import type { LateRetained } from '../measure/shared-file.js'
import type { FileMeasurement } from '../model.js'
import { resolvedRecycleAbove } from './shared-lifecycle.js'

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
