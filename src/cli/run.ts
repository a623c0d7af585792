// `vitest-memory [vitest args…]`: runs Vitest in-process through its public Node API.
import { existsSync } from 'node:fs'
import { normalize, resolve } from 'node:path'
import { UsageError } from '../errors.js'
import type { MemoryPoolOptions } from '../options.js'
import { openRunJournalEarly } from '../pool/abort.js'
import { displayPath } from '../record/display-path.js'
import { poolOrigins } from '../pool/pool-choice.js'
import { runSession } from '../run-session.js'
import { helpText, splitArgs } from './args.js'
import { commandsHelp } from './commands.js'
import { configLoadLogger } from './config-load-logger.js'
import { memoryCliPlugin } from './plugin.js'
import { applyShardPlan } from './shard-plan-args.js'
import { parseVitestArgs } from './vitest-args.js'

/** Vitest flags after which no test file runs here: such a command opens no journal. */
const NO_RUN_FLAGS = new Set(['--merge-reports', '--version', '-v', '--help', '-h'])

export async function runVitest(argv: string[]): Promise<void> {
  const { options, vitestArgs } = splitArgs(argv)
  if (options.help) {
    console.log(`${helpText()}\n\n${commandsHelp()}`)
    return
  }
  const { help: _help, shardPlan, ...memoryOptions } = options
  const args = shardPlan ? await applyShardPlan(shardPlan, vitestArgs) : vitestArgs
  // Validate flags and environment before anything starts.
  // Off-values (null) of the --no-* flags included: the layer's type is wider than the config's.
  runSession().cliOptions = memoryOptions as MemoryPoolOptions
  const early = runSession().options(process.cwd(), {})
  // The journal first: a signal while Vitest loads is this run's story (the pool confirms it).
  if (!args.some(arg => NO_RUN_FLAGS.has(arg.split('=')[0]))) openRunJournalEarly(early)

  const { filter, options: vitestOptions } = await parseVitestArgs(args)
  const { createViteLogger, startVitest } = await import('vitest/node')
  // What Vitest's own CLI does to its arguments before startVitest (normalizeCliOptions).
  const cliOptions = vitestOptions as Record<string, unknown>
  if (cliOptions.exclude) {
    cliOptions.cliExclude = [cliOptions.exclude].flat()
    delete cliOptions.exclude
  }
  if (filter.some(f => f.includes(':'))) cliOptions.includeTaskLocation ??= true
  // `--pool` overrides every project's pool in Vitest: the line about its stand-in names the flag.
  if (typeof cliOptions.pool === 'string') poolOrigins().cli = cliOptions.pool
  if (cliOptions.mergeReports) checkBlobFolder(cliOptions.mergeReports)
  const ctx = await startVitest(
    'test',
    filter.map(f => normalize(f)),
    cliOptions,
    {
      plugins: [memoryCliPlugin()],
      customLogger: configLoadLogger(createViteLogger as never),
    },
  )
  if (!ctx.shouldKeepServer()) await ctx.exit()
}

/**
 * Vitest reads the blob folder with a bare readdir (from the cwd, as its CLI does) and prints its
 * ENOENT as an unhandled error with a stack: a missing folder is one line saying what to do.
 */
function checkBlobFolder(mergeReports: unknown): void {
  const path = resolve(process.cwd(), typeof mergeReports === 'string' ? mergeReports : '.vitest-reports')
  if (existsSync(path)) return
  throw new UsageError(
    `--merge-reports: no blob reports to merge: ${displayPath(path)} does not exist. Run the shards with --reporter=blob first (they write .vitest-reports/), or give their folder: --merge-reports=DIR.`,
  )
}
