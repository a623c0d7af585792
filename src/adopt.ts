// Under the CLI, every project that runs one of Vitest's own pools is measured — including
// projects defined by their own config files, which do not inherit the root config's `pool` and
// would otherwise run on Vitest's default 'forks', unmeasured and silently. What stands in for
// each of Vitest's pools, and the line that says so: pool-choice.ts. A custom pool is left alone
// (the reporter names the files it ran as unmeasured).
import type { TestSpecification } from 'vitest/node'
import { adoptPool, moveSpecToPool, namesOwnPool, projectPoolName } from './vitest-internals/pool-config.js'
import { memoryPoolKeepingOptions } from './memory-pool.js'
import { POOL_NAME } from './pool/protocol.js'
import { poolOrigin, standInFor, standInLine, sayOnce } from './pool/pool-choice.js'

/** Pools whose files run no test code in a process of ours: never adopted. */
const NOT_ADOPTABLE = new Set(['typescript', 'browser'])

export function adoptUnpooledProjects(specs: readonly TestSpecification[]): void {
  /** Projects stood in for, by what the line says about them. */
  const lines = new Map<string, { pool: string; origin: 'cli' | 'names' | 'inherits'; projects: string[] }>()
  for (const spec of specs) {
    if (spec.pool === POOL_NAME || NOT_ADOPTABLE.has(spec.pool)) continue
    const project = spec.project
    if (project.config.browser?.enabled) continue
    const chosen = projectPoolName(project)
    if (chosen !== POOL_NAME) {
      const standIn = standInFor(chosen)
      if (!standIn) continue
      const origin = poolOrigin(project, chosen, namesOwnPool(project))
      const key = `${chosen}\0${origin}`
      const entry = lines.get(key) ?? { pool: chosen, origin, projects: [] }
      entry.projects.push(project.name)
      lines.set(key, entry)
      adoptPool(project, memoryPoolKeepingOptions(standIn.vm ? { vm: true } : {}))
    }
    moveSpecToPool(spec, POOL_NAME)
  }
  const logger = specs[0]?.project.vitest.logger
  for (const { pool, origin, projects } of lines.values()) {
    sayOnce(standInLine(pool, chooser(pool, origin, projects)), line => logger?.log(line))
  }
}

/** `project unit inherits pool 'threads'`, `projects unit, dom inherit …`, `--pool vmForks`. */
function chooser(pool: string, origin: 'cli' | 'names' | 'inherits', projects: string[]): string {
  if (origin === 'cli') return `--pool ${pool}`
  const named = projects.filter(Boolean)
  const who = named.length === 0 ? 'the root project' : `${named.length === 1 ? 'project' : 'projects'} ${named.join(', ')}`
  const verb = origin === 'names' ? 'name' : 'inherit'
  return `${who} ${named.length === 1 || named.length === 0 ? `${verb}s` : verb} pool '${pool}'`
}
