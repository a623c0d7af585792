// `--shard-plan PLAN.json --shard i`: turns shard i of a plan into Vitest file filters.
import { existsSync, readFileSync } from 'node:fs'
import { resolve } from 'node:path'
import { UsageError } from '../errors.js'
import { isShardPlan } from '../policy/shard-plan.js'

/** Takes `--shard i` out of Vitest's arguments and adds the shard's files as filters. */
export function applyShardPlan(planPath: string, vitestArgs: string[]): string[] {
  const args = [...vitestArgs]
  const at = args.findIndex(a => a === '--shard' || a.startsWith('--shard='))
  if (at === -1) throw new UsageError(`--shard-plan needs --shard i: write "--shard-plan ${planPath} --shard 1".`)
  const inline = args[at].startsWith('--shard=')
  const value = inline ? args[at].slice('--shard='.length) : args[at + 1]
  args.splice(at, inline ? 1 : 2)
  const path = resolve(planPath)
  if (!existsSync(path)) throw new UsageError(`Cannot read the shard plan ${planPath}: no such file. Write one with "vitest-memory plan --shards N -o ${planPath}".`)
  let plan: unknown
  try {
    plan = JSON.parse(readFileSync(path, 'utf8'))
  } catch {
    plan = undefined
  }
  if (!isShardPlan(plan)) throw new UsageError(`Cannot read the shard plan ${planPath}: not a plan written by "vitest-memory plan".`)
  const index = Number(value)
  const shard = plan.shards.find(s => s.index === index)
  if (!/^\d+$/.test(value ?? '') || !shard) {
    throw new UsageError(`Invalid --shard "${value ?? ''}" with --shard-plan: give the shard's number, 1 to ${plan.shards.length} (not i/n).`)
  }
  process.env.VITEST_MEMORY_SHARD = `${index}/${plan.shards.length}`
  // Absolute paths: Vitest keeps a file when its path starts with a filter.
  const filters = shard.files.map(file => resolve(file))
  // A shard with no files (more shards than files) is not a failure.
  return filters.length > 0 ? [...args, ...filters] : [...args, '--passWithNoTests', resolve('.vitest-memory-empty-shard')]
}
