// memoryPool(): the initializer set as `test.pool` in vitest.config.ts.
import type { PoolRunnerInitializer } from 'vitest/node'
import { USAGE_EXIT_CODE, UsageError } from './errors.js'
import { validateConfigOptions, type MemoryPoolOptions } from './options.js'
import { MemoryReporter } from './reporter.js'
import { runSession } from './run-session.js'
import { memoryIntensiveTag } from './policy/tags.js'
import { ensureReporter } from './vitest-internals/tasks.js'
import { ensureTagDefined } from './vitest-internals/runner-utils.js'
import { isPoolNamed } from './vitest-internals/pool-config.js'
import { POOL_NAME } from './pool/protocol.js'
import { MemoryPoolWorker } from './pool/worker.js'

const POOL_MARK = Symbol.for('vitest-memory.pool')

export function memoryPool(options: MemoryPoolOptions = {}): PoolRunnerInitializer {
  const state = runSession()
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
    // Read by the CLI's plugin (a plain key: Vitest 5 hands plugins a copy without symbol keys).
    vm: options.vm === true,
    createPoolWorker(poolOptions) {
      const { project } = poolOptions
      ensureReporter(project.vitest, () => new MemoryReporter())
      ensureTagDefined(project.config, memoryIntensiveTag)
      // Once per project and run, not once per file (isolate: a worker per file).
      const resolved = runSession().options(project.config.root, options)
      return new MemoryPoolWorker(POOL_NAME, poolOptions, resolved)
    },
  } as PoolRunnerInitializer
}

/**
 * The pool for a project the CLI adopts: the options stay those of the config's memoryPool(), if
 * any (calling memoryPool() again would replace them).
 */
export function memoryPoolKeepingOptions(extra: MemoryPoolOptions = {}): PoolRunnerInitializer {
  const state = runSession()
  const kept = state.configOptions
  const pool = memoryPool({ ...kept, ...extra })
  state.configOptions = kept
  return pool
}

/** A memory pool in vm mode: like Vitest's own vm pools, its files share processes (isolate: false). */
export function isVmMemoryPool(pool: unknown): boolean {
  return isMemoryPool(pool) && (pool as { vm?: unknown }).vm === true
}

export function isMemoryPool(pool: unknown): boolean {
  return typeof pool === 'object' && pool !== null && (POOL_MARK in pool || isPoolNamed(pool, POOL_NAME))
}
