// `vitest-memory plan --shards N [vitest args…]`: lists the test files the way Vitest would, weighs
// each by its history (duration, peak) and prints a balanced plan as JSON, usable as a CI matrix.
// With --memory SIZE the plan also fits each shard's job into SIZE (fit-plan.ts).
import { relative, resolve } from 'node:path'
import { shown, UsageError } from '../errors.js'
import { DEFAULT_HISTORY_PATH } from '../options.js'
import { planShards, type PlanFile } from '../policy/shard-plan.js'
import { writeCommandOutput } from '../record/atomic-write.js'
import { emptyHistory, historyIndex, inspectHistory, lastPeak } from '../record/history.js'
import { parseCommandArgs } from './command-args.js'
import { fitPlan, planMemory, targetDuration } from './fit-plan.js'
import { listTestFiles } from './vitest-files.js'

export const PLAN_USAGE =
  'vitest-memory plan --shards N | --memory SIZE [--shards N | --target-duration D] [--memory-history PATH] [-o PLAN.json] [vitest filters, --config, --project …]'
export const PLAN_FLAGS = {
  '--shards': 'shards',
  '--memory-history': 'history',
  '-o': 'output',
  '--output': 'output',
  '--memory': 'memory',
  '--target-duration': 'target',
}

export async function planCommand(argv: string[]): Promise<number> {
  const { values, rest } = parseCommandArgs(argv, {
    usage: PLAN_USAGE,
    passRest: true,
    valued: PLAN_FLAGS,
  })
  if (!values.shards && !values.memory) throw new UsageError(`--shards N or --memory SIZE is required. Usage: ${PLAN_USAGE}`)
  const count = Number(values.shards ?? 1)
  if (!Number.isInteger(count) || count < 1 || count > 256) throw new UsageError(`Invalid --shards ${shown(values.shards)}: use a whole number from 1 to 256.`)
  const fit = fitArgs(values)

  const { root, files } = await listTestFiles(rest)
  // --memory: the summary goes to stderr, stdout stays the plan; no plan when a file cannot fit.
  const fitted = fit ? fitPlan({ root, files, historyPath: resolve(root, values.history ?? DEFAULT_HISTORY_PATH), ...fit }) : null
  if (fitted) console.error(fitted.summary)
  if (fitted && !fitted.plan) return 1
  // Read only: a bad history is reported, never set aside or rewritten (that is the writer's job).
  const { history, warning, unusable } = inspectHistory(resolve(root, values.history ?? DEFAULT_HISTORY_PATH))
  if (warning) console.error(`vitest-memory: ${warning}${unusable ? ': the plan weighs every file as unmeasured' : ''}.`)
  const index = historyIndex(history ?? emptyHistory())
  const input: PlanFile[] = files.map(({ project, file }) => {
    const entry = index.get(`${project}\0${toPosix(relative(root, file))}`)
    const run = entry?.runs.at(-1)
    return { file: toPosix(relative(process.cwd(), file)), durationMs: run?.durationMs ?? null, peakBytes: lastPeak(entry) }
  })
  const plan = fitted?.plan ?? planShards(input, count)
  const json = JSON.stringify(plan, null, 2)
  if (!values.output) console.log(json)
  else {
    // The file is the plan; the terminal gets one line, not the JSON a second time.
    writeCommandOutput('the shard plan', resolve(values.output), `${json}\n`)
    const fileCount = plan.shards.reduce((sum, shard) => sum + shard.files.length, 0)
    console.log(
      `vitest-memory: wrote a plan of ${plan.shards.length} shard${plan.shards.length === 1 ? '' : 's'} for ${fileCount} file${fileCount === 1 ? '' : 's'} to ${values.output}`,
    )
  }
  return 0
}

/** --memory's arguments, checked before any file is listed; null without --memory. */
function fitArgs(values: Record<string, string>): { memoryBytes: number; shards?: number; targetDurationMs?: number } | null {
  if (!values.memory) {
    if (values.target) throw new UsageError("--target-duration needs --memory SIZE: the workers per shard, and so its duration, depend on the job's memory.")
    return null
  }
  if (values.target && values.shards) throw new UsageError('Give --shards N or --target-duration D, not both: the target chooses the shard count.')
  return {
    memoryBytes: planMemory(values.memory),
    ...(values.shards ? { shards: Number(values.shards) } : {}),
    ...(values.target ? { targetDurationMs: targetDuration(values.target) } : {}),
  }
}

function toPosix(path: string): string {
  return path.split('\\').join('/')
}
