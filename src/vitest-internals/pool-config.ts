// How a project's pool is named, chosen and changed in Vitest's resolved config (4.1 and 5).
import type { TestModule, TestProject, TestSpecification } from 'vitest/node'

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

/**
 * Whether the project's own config (or the command line) names a pool. A project defined by its
 * own config file does not inherit the root's `pool`; the raw `test` of its Vite config says what
 * its author wrote, where the resolved config only holds the default ('forks').
 */
export function namesOwnPool(project: TestProject): boolean {
  // Vitest 5 records it (`providedOptions`), and fills the raw config with its defaults.
  const provided = (project.config as unknown as { providedOptions?: { pool?: boolean } }).providedOptions?.pool
  if (provided !== undefined) return provided
  return (project.vite.config as { test?: { pool?: unknown } }).test?.pool !== undefined
}

/** Runs the project's files on a custom pool, as Vitest resolves a `test.pool` object (4.1 and 5). */
export function adoptPool(project: TestProject, initializer: { name: string }): void {
  const config = project.config as unknown as { pool: string; poolRunner?: unknown }
  config.pool = initializer.name
  config.poolRunner = initializer
}

/** A specification's pool is chosen when it is created; a project adopted later needs its specs moved too. */
export function moveSpecToPool(spec: TestSpecification, name: string): void {
  ;(spec as unknown as { pool: string }).pool = name
}
