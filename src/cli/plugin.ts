// The Vite plugin the CLI adds: supplies memoryPool() when the config has none, and adds
// MemoryReporter before Vitest creates its reporters, so --reporter=… cannot drop it.
import type { Plugin } from 'vite'
import type { TestProject, Vitest } from 'vitest/node'
import { isMemoryPool, ISOLATE_FALSE_MESSAGE, memoryPool, POOL_NAME } from '../pool/index.js'
import { UsageError } from '../options.js'
import { MemoryReporter } from '../reporter.js'
import { MemorySequencer } from '../schedule/sequencer.js'
import { isMemoryReporter, projectPoolName } from '../vitest-adapter.js'

export function memoryCliPlugin(): Plugin {
  return {
    name: 'vitest-memory:cli',
    config(config) {
      const test = (config as { test?: { pool?: unknown, sequence?: { sequencer?: unknown } } }).test
      const override: { pool?: unknown, sequence?: { sequencer: unknown } } = {}
      if (!isMemoryPool(test?.pool)) override.pool = memoryPool()
      // Heavy and long files first, unless the user chose their own order.
      if (!test?.sequence?.sequencer) override.sequence = { sequencer: MemorySequencer }
      return { test: override } as never
    },
    configureVitest({ vitest, project }: { vitest: Vitest, project: TestProject }) {
      if (projectPoolName(project) === POOL_NAME && project.config.isolate === false) {
        throw new UsageError(ISOLATE_FALSE_MESSAGE)
      }
      const reporters = vitest.config.reporters as unknown[]
      if (!reporters.some(isMemoryReporter)) reporters.push(new MemoryReporter())
    },
  } as Plugin
}
