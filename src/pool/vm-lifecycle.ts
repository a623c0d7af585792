// vm mode's recycling threshold for a project: `recycleAbove` when given, else Vitest's own
// `vmMemoryLimit` (or its default), read as RSS (policy/vm-recycle.ts says why).
import { totalmem } from 'node:os'
import type { TestProject } from 'vitest/node'
import type { ResolvedMemoryOptions } from '../options.js'
import { vmRecycleThreshold } from '../policy/vm-recycle.js'
import { resolvedRecycleAbove } from './shared-lifecycle.js'

export function vmLifecycleThreshold(options: ResolvedMemoryOptions, project: TestProject, workers: number): number | null {
  const vmMemoryLimit = (project.config as { vmMemoryLimit?: unknown }).vmMemoryLimit ?? (project.vitest.config as { vmMemoryLimit?: unknown }).vmMemoryLimit
  return vmRecycleThreshold(resolvedRecycleAbove(options, workers), vmMemoryLimit, totalmem(), workers)
}
