// Everything that leans on how a particular Vitest version works inside lives here.
import type { Vitest, Reporter } from 'vitest/node'

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
 * The main process's File task of a test file, or undefined. `state.filesMap` (file path → one File
 * per project) is internal to Vitest but present in 4.1 and 5; data put on the task's `meta` travels
 * with the blob reporter and `--merge-reports`.
 */
export function findFileTask(vitest: Vitest, project: string, file: string): { meta: Record<string, unknown> } | undefined {
  const state = (vitest as unknown as { state?: { filesMap?: Map<string, { projectName?: string, meta: Record<string, unknown> }[]> } }).state
  return state?.filesMap?.get(file)?.find(task => (task.projectName ?? '') === project)
}

/** `--shard i/n` of this run as "i/n", or null. */
export function shardLabel(vitest: Vitest): string | null {
  const shard = (vitest.config as { shard?: { index: number, count: number } }).shard
  return shard ? `${shard.index}/${shard.count}` : null
}
