// memoryPool(): the initializer set as `test.pool` in vitest.config.ts.
import type { PoolRunnerInitializer } from 'vitest/node'
import { USAGE_EXIT_CODE, UsageError } from '../errors.js'
import { optionsFromEnv, resolveOptions, validateConfigOptions, type MemoryPoolOptions } from '../options.js'
import { MemoryReporter } from '../reporter.js'
import { sharedState } from '../state.js'
import { memoryIntensiveTag } from '../policy/tags.js'
import { ensureReporter, ensureTagDefined, isPoolNamed } from '../vitest-adapter.js'
import { MemoryPoolWorker } from './worker.js'

export const POOL_NAME = 'vitest-memory'

const POOL_MARK = Symbol.for('vitest-memory.pool')

export const ISOLATE_FALSE_MESSAGE = '`isolate: false` cannot be used with memoryPool(): it runs many files in one process, which makes per-file peaks meaningless. Remove `isolate: false` (the pool gives every file a fresh process anyway).'

export function memoryPool(options: MemoryPoolOptions = {}): PoolRunnerInitializer {
  const state = sharedState()
  try {
    // With the flags of a vitest-memory run (they win over the config), and the environment.
    validateConfigOptions(options, state.cliOptions)
  } catch (error) {
    // Plain `vitest` prints a config that fails to load and exits with process.exitCode, else 1:
    // a usage error exits 2 there too (the vitest-memory CLI exits 2 on its own).
    if (error instanceof UsageError) process.exitCode ??= USAGE_EXIT_CODE
    throw error
  }
  state.configOptions = options
  return {
    name: POOL_NAME,
    [POOL_MARK]: true,
    createPoolWorker(poolOptions) {
      const { project } = poolOptions
      if (project.config.isolate === false) throw new UsageError(ISOLATE_FALSE_MESSAGE)
      ensureReporter(project.vitest, () => new MemoryReporter())
      ensureTagDefined(project.config, memoryIntensiveTag)
      const resolved = resolveOptions(options, optionsFromEnv(), state.cliOptions, project.config.root)
      return new MemoryPoolWorker(POOL_NAME, poolOptions, resolved)
    },
  } as PoolRunnerInitializer
}

export function isMemoryPool(pool: unknown): boolean {
  return typeof pool === 'object' && pool !== null && (POOL_MARK in pool || isPoolNamed(pool, POOL_NAME))
}
