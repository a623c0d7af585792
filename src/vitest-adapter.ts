// Everything that leans on how a particular Vitest version works inside lives here.
import type { Vitest, Reporter, TestModule } from 'vitest/node'

const REPORTER_MARK = Symbol.for('vitest-memory.reporter')

export function isMemoryReporter(reporter: unknown): boolean {
  return typeof reporter === 'object' && reporter !== null && REPORTER_MARK in reporter
}

export function markReporter(reporter: object): void {
  Object.defineProperty(reporter, REPORTER_MARK, { value: true })
}

/**
 * The pool has no hook before reporters are created, so when the user did not list
 * MemoryReporter (and the CLI did not add it), the pool adds one when it starts its first worker.
 */
export function ensureReporter(vitest: Vitest, create: () => Reporter): void {
  // `reporters` is internal to Vitest (not in its types) but present in 4.1 and 5.
  const reporters = (vitest as unknown as { reporters: Reporter[] }).reporters
  if (reporters.some(isMemoryReporter)) return
  const reporter = create()
  reporter.onInit?.(vitest)
  reporters.push(reporter)
}

/** The name of the pool a project runs its files in (a custom pool's `name` in Vitest 4.1 and 5). */
export function projectPoolName(project: { config: { pool: unknown } }): string {
  return String(project.config.pool)
}

/**
 * Whether a `test.pool` value is the custom pool called `name`. Vitest 5 hands plugins a copy of
 * the user config that has lost symbol keys, so only the name identifies the pool there.
 */
export function isPoolNamed(pool: unknown, name: string): boolean {
  return typeof pool === 'object' && pool !== null && (pool as { name?: unknown }).name === name
}

/**
 * Whether a test module ran on the pool called `name`: its project's pool, unless it is a
 * `--typecheck` file, which Vitest always runs in its own typescript pool (marked by
 * `task.meta.typecheck` in 4.1 and 5).
 */
export function ranOnPool(module: TestModule, name: string): boolean {
  // `task` is internal to Vitest (not in its types) but present in 4.1 and 5.
  const meta = (module as unknown as { task?: { meta?: { typecheck?: boolean } } }).task?.meta
  return projectPoolName(module.project) === name && meta?.typecheck !== true
}
