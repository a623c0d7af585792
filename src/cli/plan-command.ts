// `vitest-memory plan --shards N [vitest args…]`: lists the test files the way Vitest would, weighs
// each by its history (duration, peak) and prints a balanced plan as JSON, usable as a CI matrix.
import { relative, resolve } from 'node:path'
import { shown, UsageError } from '../errors.js'
import { DEFAULT_HISTORY_PATH } from '../options.js'
import { planShards, type PlanFile } from '../policy/shard-plan.js'
import { writeCommandOutput } from '../record/atomic-write.js'
import { emptyHistory, historyIndex, inspectHistory, lastPeak } from '../record/history.js'
import { parseCommandArgs } from './command-args.js'
import { listTestFiles } from './vitest-files.js'

export const PLAN_USAGE = 'vitest-memory plan --shards N [--memory-history PATH] [-o PLAN.json] [vitest filters, --config, --project …]'
export const PLAN_FLAGS = { '--shards': 'shards', '--memory-history': 'history', '-o': 'output', '--output': 'output' }

export async function planCommand(argv: string[]): Promise<number> {
  const { values, rest } = parseCommandArgs(argv, {
    usage: PLAN_USAGE,
    passRest: true,
    valued: PLAN_FLAGS,
  })
  if (!values.shards) throw new UsageError(`--shards is required. Usage: ${PLAN_USAGE}`)
  const count = Number(values.shards)
  if (!Number.isInteger(count) || count < 1 || count > 256) throw new UsageError(`Invalid --shards ${shown(values.shards)}: use a whole number from 1 to 256.`)

  const { root, files } = await listTestFiles(rest)
  // Read only: a bad history is reported, never set aside or rewritten (that is the writer's job).
  const { history, warning, unusable } = inspectHistory(resolve(root, values.history ?? DEFAULT_HISTORY_PATH))
  if (warning) console.error(`vitest-memory: ${warning}${unusable ? ': the plan weighs every file as unmeasured' : ''}.`)
  const index = historyIndex(history ?? emptyHistory())
  const input: PlanFile[] = files.map(({ project, file }) => {
    const entry = index.get(`${project}\0${toPosix(relative(root, file))}`)
    const run = entry?.runs.at(-1)
    return { file: toPosix(relative(process.cwd(), file)), durationMs: run?.durationMs ?? null, peakBytes: lastPeak(entry) }
  })
  const plan = planShards(input, count)
  const json = JSON.stringify(plan, null, 2)
  if (values.output) writeCommandOutput('the shard plan', resolve(values.output), `${json}\n`)
  console.log(json)
  return 0
}

function toPosix(path: string): string {
  return path.split('\\').join('/')
}
