// `--shard-plan PLAN.json --shard i`: turns shard i of a plan into Vitest file filters.
import { readFileSync } from 'node:fs'
import { resolve } from 'node:path'
import { UsageError } from '../errors.js'
import type { ShardPlan } from '../policy/shard-plan.js'
import { printable } from '../record/display-path.js'
import { schemaProblem } from '../record/schemas.js'
import { unplannedFiles, unplannedLine } from './unplanned-files.js'
import { maxOf } from '../numbers.js'

/**
 * Takes `--shard i` out of Vitest's arguments and adds the shard's files as filters. The last shard
 * also runs the collected files no shard lists, and names them (unplanned-files.ts).
 */
export async function applyShardPlan(planPath: string, vitestArgs: string[]): Promise<string[]> {
  const args = [...vitestArgs]
  const at = args.findIndex(a => a === '--shard' || a.startsWith('--shard='))
  if (at === -1) throw new UsageError(`--shard-plan needs --shard i: write "--shard-plan ${planPath} --shard 1".`)
  const inline = args[at].startsWith('--shard=')
  const value = inline ? args[at].slice('--shard='.length) : args[at + 1]
  args.splice(at, inline ? 1 : 2)
  const plan = readShardPlan(planPath)
  const index = Number(value)
  const shard = plan.shards.find(s => s.index === index)
  if (!/^\d+$/.test(value ?? '') || !shard) {
    throw new UsageError(`Invalid --shard "${value ?? ''}" with --shard-plan: give the shard's number, 1 to ${plan.shards.length} (not i/n).`)
  }
  process.env.VITEST_MEMORY_SHARD = `${index}/${plan.shards.length}`
  // Absolute paths: Vitest keeps a file when its path starts with a filter.
  const filters = shard.files.map(file => resolve(file))
  if (index === maxOf(plan.shards.map(s => s.index))) {
    const unplanned = await unplannedFiles(plan, args)
    if (unplanned.length > 0) {
      console.error(unplannedLine(unplanned, planPath, index, plan.shards.length))
      filters.push(...unplanned.map(file => resolve(file)))
    }
  }
  // A shard with no files (more shards than files) is not a failure.
  return filters.length > 0 ? [...args, ...filters] : [...args, '--passWithNoTests', resolve('.vitest-memory-empty-shard')]
}

/** Reads a plan and checks it against schema/shard-plan.schema.json; one line when it does not fit. */
export function readShardPlan(planPath: string): ShardPlan {
  let text: string
  try {
    text = readFileSync(resolve(planPath), 'utf8')
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code
    if (code === 'ENOENT')
      throw new UsageError(`Cannot read the shard plan ${planPath}: no such file. Write one with "vitest-memory plan --shards N -o ${planPath}".`)
    throw new UsageError(`Cannot read the shard plan ${planPath}: ${code ?? (error as Error).message}.`)
  }
  let plan: unknown
  try {
    plan = JSON.parse(text)
  } catch (error) {
    throw new UsageError(`Cannot read the shard plan ${planPath}: not valid JSON (${printable((error as Error).message, 120)}).`)
  }
  const version = (plan as { schemaVersion?: unknown } | null)?.schemaVersion
  if (typeof version === 'number' && version > 1)
    throw new UsageError(`Cannot read the shard plan ${planPath}: it was written by a newer vitest-memory (plan schema ${version}; this version reads 1).`)
  const problem = schemaProblem('shard-plan', plan)
  if (problem) throw new UsageError(`Cannot read the shard plan ${planPath}: ${problem}; write a new one with "vitest-memory plan --shards N -o ${planPath}".`)
  return plan as ShardPlan
}
