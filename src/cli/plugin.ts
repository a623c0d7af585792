// The Vite plugin the CLI adds: supplies memoryPool() when the config has none, and adds
// MemoryReporter before Vitest creates its reporters, so --reporter=… cannot drop it, and
// defines the memory_intensive tag. With `test.projects`, the root config is not a project: each
// inline project gets its own copy of the plugin, which supplies the pool to a project that names
// none ('threads' stays).
import type { Plugin } from 'vite'
import type { Vitest } from 'vitest/node'
import { UsageError } from '../errors.js'
import { isMemoryPool, memoryPool } from '../memory-pool.js'
import { memoryIntensiveTag } from '../policy/tags.js'
import { readBaseline } from '../report/outputs.js'
import { runSession } from '../run-session.js'
import { MemoryReporter } from '../reporter.js'
import { MemorySequencer } from '../sequencer.js'
import { isMemoryReporter } from '../vitest-internals/tasks.js'

interface TestConfig { pool?: unknown, projects?: unknown, tags?: { name: string }[], sequence?: { sequencer?: unknown } }

export function memoryCliPlugin(scope: 'root' | 'project' = 'root'): Plugin {
  return {
    name: `vitest-memory:cli-${scope}`,
    config(config) {
      const test = (config as { test?: TestConfig }).test
      if (scope === 'project') {
        if (test?.pool === undefined) return { test: { pool: memoryPool() } } as never
        return
      }
      // Vite lets a config hook change the config in place; inline projects are plain objects.
      for (const project of inlineProjects(test?.projects)) {
        project.plugins ??= []
        project.plugins.push(memoryCliPlugin('project'))
      }
      const added: Record<string, unknown> = {}
      if (!isMemoryPool(test?.pool)) added.pool = memoryPool()
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
      const reporters = vitest.config.reporters as unknown[]
      if (!reporters.some(isMemoryReporter)) reporters.push(new MemoryReporter())
    },
  } as Plugin
}

/** The inline project configs of `test.projects` (strings name config files or folders). */
function inlineProjects(projects: unknown): { plugins?: unknown[] }[] {
  if (!Array.isArray(projects)) return []
  return projects.filter((p): p is { plugins?: unknown[] } => typeof p === 'object' && p !== null && typeof (p as Promise<unknown>).then !== 'function')
}
