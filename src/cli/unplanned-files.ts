// Files a shard plan does not know: a test file added after the plan was written (or left out of
// it) would otherwise run in no shard while every shard passes. The last shard runs them and says
// which they are (docs/parallelism-and-shards.md): nothing is lost, and the plan is named as stale.
import { relative, resolve } from 'node:path'
import { printable } from '../record/display-path.js'
import type { ShardPlan } from '../policy/shard-plan.js'
import { listTestFiles } from './vitest-files.js'

/** How many unplanned files the line names before it says "and N more". */
const NAMED_FILES = 10

/**
 * The collected files (absolute paths) that no shard of the plan lists, or [] when Vitest cannot
 * list them (a config that fails to load: the run itself then says so, in one line).
 */
export async function unplannedFiles(plan: ShardPlan, vitestArgs: string[]): Promise<string[]> {
  let collected: string[]
  try {
    collected = (await listTestFiles(vitestArgs, undefined, true)).files.map(f => f.file)
  } catch {
    return []
  }
  return filesInNoShard(plan, collected)
}

/** Pure: the collected files (any form of path) that no shard lists, absolute, once each, sorted. */
export function filesInNoShard(plan: ShardPlan, collected: string[], cwd = process.cwd()): string[] {
  const planned = new Set(plan.shards.flatMap(shard => shard.files.map(file => resolve(cwd, file))))
  return [...new Set(collected.map(file => resolve(cwd, file)))].filter(file => !planned.has(file)).sort()
}

/** One line: which files are in no shard and that this (the last) shard runs them. */
export function unplannedLine(files: string[], planPath: string, shard: number, shards: number): string {
  const shown = files.slice(0, NAMED_FILES).map(file => printable(relative(process.cwd(), file).split('\\').join('/'), 200))
  const more = files.length > NAMED_FILES ? ` and ${files.length - NAMED_FILES} more` : ''
  const count = `${files.length} test file${files.length === 1 ? ' is' : 's are'}`
  return `vitest-memory: ${count} in no shard of ${planPath} (added after it was written?): ${shown.join(', ')}${more}; shard ${shard}, the last, runs ${files.length === 1 ? 'it' : 'them'}. Write a new plan with "vitest-memory plan --shards ${shards} -o ${planPath}".`
}
