// `vitest-memory [vitest args…]`: runs Vitest in-process through its public Node API.
import { normalize } from 'node:path'
import { optionsFromEnv, resolveOptions, type MemoryPoolOptions } from '../options.js'
import { sharedState } from '../state.js'
import { helpText, splitArgs } from './args.js'
import { commandsHelp } from './commands.js'
import { configLoadLogger } from './config-load-logger.js'
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
  // Off-values (null) of the --no-* flags included: the layer's type is wider than the config's.
  sharedState().cliOptions = memoryOptions as MemoryPoolOptions

  const { filter, options: vitestOptions } = await parseVitestArgs(args)
  const { createViteLogger, startVitest } = await import('vitest/node')
  // What Vitest's own CLI does to its arguments before startVitest (normalizeCliOptions).
  const cliOptions = vitestOptions as Record<string, unknown>
  if (cliOptions.exclude) {
    cliOptions.cliExclude = [cliOptions.exclude].flat()
    delete cliOptions.exclude
  }
  if (filter.some(f => f.includes(':'))) cliOptions.includeTaskLocation ??= true
  const ctx = await startVitest('test', filter.map(f => normalize(f)), cliOptions, {
    plugins: [memoryCliPlugin()],
    customLogger: configLoadLogger(createViteLogger as never),
  })
  if (!ctx.shouldKeepServer()) await ctx.exit()
}
