// The pool a user chose, and what the memory pool runs in its place (under the CLI): Vitest's own
// pools are stood in for, each with one line saying how; a pool of any other name (a custom pool)
// is left alone, unmeasured. One rule wherever the choice comes from: the root config, a
// project's config, inherited with `extends: true`, or `--pool` on the command line.
import type { TestProject } from 'vitest/node'
import { runSession, type PoolOrigins } from '../run-session.js'
import { VM_POOLS } from './vm-mode.js'

export interface StandIn {
  /** Vitest's vm runtime in the pool's processes (vm-mode.ts), else its forks runtime. */
  vm: boolean
  /** What runs instead, for the one line that says so; empty for forks (the pool is forks). */
  how: string
}

/** What stands in for Vitest's pool `pool`; null for a pool that is not Vitest's own (kept as is). */
export function standInFor(pool: string): StandIn | null {
  if (pool === 'forks') return { vm: false, how: '' }
  if (pool === 'threads') return { vm: false, how: "runs its files in the memory pool's processes (a thread's memory cannot be told from its neighbours')" }
  if (pool === 'vmForks') return { vm: true, how: "runs in vm mode: Vitest's vm runtime, a fresh context per file, in measured processes" }
  if (VM_POOLS.has(pool)) return { vm: true, how: "runs in vm mode, in processes, not threads (a thread's memory cannot be told from its neighbours')" }
  return null
}

export function poolOrigins(): PoolOrigins {
  const session = runSession()
  session.poolOrigins ??= { ownPool: new Set() }
  return session.poolOrigins
}

/** How the project came to run `pool`: named on the command line, by its own config, or inherited from the root. */
export function poolOrigin(project: Pick<TestProject, 'name'>, pool: string, namesOwnPool: boolean): 'cli' | 'names' | 'inherits' {
  const origins = poolOrigins()
  if (origins.cli === pool) return 'cli'
  if (origins.ownPool.has(project.name)) return 'names'
  if (origins.root === pool && project.name) return 'inherits'
  return namesOwnPool || !project.name ? 'names' : 'inherits'
}

/** The one line for a stand-in; empty when there is nothing to say (forks). */
export function standInLine(pool: string, chooser: string): string {
  const standIn = standInFor(pool)
  return standIn?.how ? `vitest-memory: ${chooser}: it ${standIn.how}` : ''
}

/** Says a line once per run: projects share one choice, and the line is the same for each. */
export function sayOnce(line: string, log: (line: string) => void): void {
  if (!line) return
  const said = runSession().poolLines
  if (said.has(line)) return
  said.add(line)
  log(line)
}
