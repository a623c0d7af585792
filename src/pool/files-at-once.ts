// How many files Vitest runs at once: its pool's limit, which is shared by every project of a
// `sequence.groupOrder` group (Vitest refuses projects of one group with different maxWorkers).
// Read the way Vitest resolves it (resolveMaxWorkers, 4.1 and 5): the project's maxWorkers, else
// the run's, else one less than the cores (half of them in watch mode). A project's own config
// rarely sets it: `--maxWorkers 3` lands on the run's config only, so reading the project's alone
// took 3 workers for 1 and booted spares beside files that already used every core.
import { availableParallelism } from 'node:os'

interface WorkersConfig {
  config: { maxWorkers?: number | string | null }
  vitest: { config: { maxWorkers?: number | string | null; watch?: boolean } }
}

export function filesAtOnce(project: WorkersConfig, cpus = availableParallelism()): number {
  const own = Number(project.config.maxWorkers)
  if (own > 0) return own
  const run = Number(project.vitest.config.maxWorkers)
  if (run > 0) return run
  return Math.max(project.vitest.config.watch ? Math.floor(cpus / 2) : cpus - 1, 1)
}
