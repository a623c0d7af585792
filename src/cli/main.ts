#!/usr/bin/env node
// The vitest-memory command: exit 0 all good, 1 test failures or over budget, 2 bad usage.
import { UsageError } from '../options.js'
import { runVitest } from './run.js'
import { runWhy } from './why.js'

async function main(argv: string[]): Promise<void> {
  try {
    if (argv[0] === 'why') runWhy(argv.slice(1))
    else await runVitest(argv)
  } catch (error) {
    const usage = error instanceof UsageError ? error : findUsageError(error)
    if (usage) {
      console.error(`vitest-memory: ${usage.message}`)
      process.exit(2)
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
