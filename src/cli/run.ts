// `vitest-memory [vitest args…]`: runs Vitest in-process through its public Node API.
import { normalize } from 'node:path'
import { optionsFromEnv, resolveOptions } from '../options.js'
import { poolOrigins } from '../pool/pool-choice.js'
import { sharedState } from '../state.js'
import { helpText, splitArgs } from './args.js'
import { commandsHelp } from './commands.js'
import { memoryCliPlugin } from './plugin.js'
import { applyShardPlan } from './shard-plan-args.js'
import { parseVitestArgs } from './vitest-args.js'

export async function runVitest(argv: string[]): Promise<void> {
  const { options, vitestArgs } = splitArgs(argv)
  if (options.help) {
    console.log(`${helpText()}\n\n${commandsHelp()}`)
    return
  }
  const { help: _help, shardPlan, ...memoryOptions } = options
  const args = shardPlan ? applyShardPlan(shardPlan, vitestArgs) : vitestArgs
  // Validate flags and environment before anything starts.
  resolveOptions({}, optionsFromEnv(), memoryOptions, process.cwd())
  sharedState().cliOptions = memoryOptions

  const { filter, options: vitestOptions } = await parseVitestArgs(args)
  const { startVitest } = await import('vitest/node')
  // What Vitest's own CLI does to its arguments before startVitest (normalizeCliOptions).
  const cliOptions = vitestOptions as Record<string, unknown>
  if (cliOptions.exclude) {
    cliOptions.cliExclude = [cliOptions.exclude].flat()
    delete cliOptions.exclude
  }
  if (filter.some(f => f.includes(':'))) cliOptions.includeTaskLocation ??= true
  // `--pool` overrides every project's pool in Vitest: the line about its stand-in names the flag.
  if (typeof cliOptions.pool === 'string') poolOrigins().cli = cliOptions.pool
  const ctx = await startVitest('test', filter.map(f => normalize(f)), cliOptions, { plugins: [memoryCliPlugin()] })
  if (!ctx.shouldKeepServer()) await ctx.exit()
}
