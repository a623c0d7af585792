// Under the CLI, every project that names no pool of its own is measured — including projects
// defined by their own config files, which do not inherit the root config's `pool` and would
// otherwise run on Vitest's default 'forks', unmeasured and silently.
import type { TestSpecification } from 'vitest/node'
import { adoptPool, moveSpecToPool, namesOwnPool, projectPoolName } from './vitest-internals/pool-config.js'
import { memoryPoolKeepingOptions } from './memory-pool.js'
import { POOL_NAME } from './pool/protocol.js'

/** Pools whose files run no test code in a process of ours: never adopted. */
const NOT_ADOPTABLE = new Set(['typescript', 'browser'])

export function adoptUnpooledProjects(specs: readonly TestSpecification[]): void {
  for (const spec of specs) {
    if (spec.pool === POOL_NAME || NOT_ADOPTABLE.has(spec.pool)) continue
    const project = spec.project
    if (project.config.browser?.enabled) continue
    if (projectPoolName(project) !== POOL_NAME) {
      if (namesOwnPool(project)) continue
      adoptPool(project, memoryPoolKeepingOptions())
    }
    moveSpecToPool(spec, POOL_NAME)
  }
}
