#!/usr/bin/env node
// The vitest-memory command: exit 0 all good, 1 test failures, over budget or a regression, 2 bad usage or input.
import { MESSAGE_PREFIX, USAGE_EXIT_CODE, UsageError } from '../errors.js'
import { runSubcommand, SUBCOMMANDS } from './commands.js'
import { runVitest } from './run.js'
import { asksForVersion, versionLine } from './version.js'

async function main(argv: string[]): Promise<void> {
  try {
    const command = SUBCOMMANDS[argv[0]]
    if (!command && asksForVersion(argv)) console.log(versionLine())
    else if (command) process.exitCode = await runSubcommand(command, argv.slice(1))
    else await runVitest(argv)
  } catch (error) {
    const usage = error instanceof UsageError ? error : findUsageError(error)
    if (usage) {
      // A usage error from another copy of this module (Vitest loads the config in its own graph)
      // may carry the prefix in its message: print it once.
      console.error(`${MESSAGE_PREFIX}${usage.message.replace(MESSAGE_PREFIX, '')}`)
      process.exit(USAGE_EXIT_CODE)
    }
    throw error
  }
}

/** Vitest may wrap an error thrown from a plugin hook; the usage error is then its cause. */
function findUsageError(error: unknown): UsageError | undefined {
  for (let e = error as { cause?: unknown } | undefined, depth = 0; e && depth < 5; e = e.cause as typeof e, depth++) {
    if (e instanceof UsageError || (e as Error).name === 'UsageError') return e as UsageError
  }
  return undefined
}

await main(process.argv.slice(2))
