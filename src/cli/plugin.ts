// The Vite plugin the CLI adds: supplies memoryPool() when the config has none, and adds
// MemoryReporter before Vitest creates its reporters, so --reporter=… cannot drop it, and
// defines the memory_intensive tag. With `test.projects`, the root config is not a project: each
// inline project gets its own copy of the plugin, which supplies the pool to a project that names
// none; one of Vitest's pools named anywhere is stood in for once the projects are resolved (adopt.ts).
import type { Plugin } from 'vite'
import type { Vitest } from 'vitest/node'
import { UsageError } from '../errors.js'
import { isVmMemoryPool, memoryPool, memoryPoolKeepingOptions } from '../memory-pool.js'
import { poolOrigins, sayOnce, standInFor, standInLine } from '../pool/pool-choice.js'
import { memoryIntensiveTag } from '../policy/tags.js'
import { readBaseline } from '../report/outputs.js'
import { runSession } from '../run-session.js'
import { MemoryReporter } from '../reporter.js'
import { MemorySequencer } from '../sequencer.js'
import { isMemoryReporter } from '../vitest-internals/tasks.js'

interface TestConfig {
  pool?: unknown
  projects?: unknown
  tags?: { name: string }[]
  sequence?: { sequencer?: unknown }
}

export function memoryCliPlugin(scope: 'root' | 'project' = 'root'): Plugin {
  return {
    name: `vitest-memory:cli-${scope}`,
    config(config) {
      const test = (config as { test?: TestConfig }).test
      if (scope === 'project') {
        if (test?.pool === undefined) return { test: { pool: memoryPool() } } as never
        // Like Vitest's own vm pools, vm mode shares processes between files.
        if (isVmMemoryPool(test.pool)) return { test: { isolate: false } } as never
        return
      }
      // Vite lets a config hook change the config in place; inline projects are plain objects.
      for (const project of inlineProjects(test?.projects)) {
        project.plugins ??= []
        project.plugins.push(memoryCliPlugin('project'))
        if (project.test?.pool !== undefined && project.test.name) poolOrigins().ownPool.add(project.test.name)
      }
      const added: Record<string, unknown> = { ...poolInPlaceOf(test) }
      // Defined in the config, so `--list-tags` shows it and strictTags accepts it in every project.
      if (!test?.tags?.some(tag => tag.name === memoryIntensiveTag.name)) added.tags = [{ ...memoryIntensiveTag }]
      // Heavy and long files first, unless the user chose their own order.
      if (!test?.sequence?.sequencer) added.sequence = { sequencer: MemorySequencer }
      return { test: added } as never
    },
    configureVitest({ vitest }: { vitest: Vitest }) {
      // The base report of --compare-to must be readable before anything runs (or is written over it).
      const options = runSession().options(vitest.config.root)
      const baseline = readBaseline(options.compareTo)
      if (baseline?.error) throw new UsageError(baseline.error)
      for (const line of rootPoolLines.splice(0)) sayOnce(line, text => vitest.logger.log(text))
      const reporters = vitest.config.reporters as unknown[]
      if (!reporters.some(isMemoryReporter)) reporters.push(new MemoryReporter())
    },
  } as Plugin
}

/** Lines about the root config's pool, said once Vitest has a logger. */
const rootPoolLines: string[] = []

/**
 * The root config's pool, or what stands in for it: none named → the memory pool; one of Vitest's
 * pools → the memory pool in its place (vm mode for the vm pools, sharing processes as they do),
 * with a line saying so when there are no projects (projects get theirs when adopted, adopt.ts);
 * a custom pool stays (its files are reported unmeasured).
 */
function poolInPlaceOf(test: TestConfig | undefined): Record<string, unknown> {
  const pool = test?.pool
  if (pool === undefined) return { pool: memoryPool() }
  if (isVmMemoryPool(pool)) return { isolate: false }
  if (typeof pool !== 'string') return {}
  const standIn = standInFor(pool)
  if (!standIn) return {}
  // Vitest 5 has merged `--pool` into the config its plugins see.
  const fromCli = poolOrigins().cli === pool
  if (!fromCli) poolOrigins().root = pool
  if (!Array.isArray(test?.projects)) rootPoolLines.push(standInLine(pool, fromCli ? `--pool ${pool}` : `the root project names pool '${pool}'`))
  return standIn.vm ? { pool: memoryPoolKeepingOptions({ vm: true }), isolate: false } : { pool: memoryPoolKeepingOptions() }
}

/** The inline project configs of `test.projects` (strings name config files or folders). */
function inlineProjects(projects: unknown): { plugins?: unknown[]; test?: { pool?: unknown; name?: string } }[] {
  if (!Array.isArray(projects)) return []
  return projects.filter(
    (p): p is { plugins?: unknown[]; test?: { pool?: unknown; name?: string } } =>
      typeof p === 'object' && p !== null && typeof (p as Promise<unknown>).then !== 'function',
  )
}
