// The test files Vitest itself would collect (its include/exclude, projects and filters), through
// its public Node API: what `plan` splits and the only files `tag --write` may edit.
import { parseVitestArgs } from './vitest-args.js'

export interface CollectedFiles {
  root: string
  files: { project: string; file: string }[]
}

/**
 * `root`: where the config is looked for (default: the current directory, as Vitest does).
 * `quiet`: Vite prints nothing (a config that fails to load is the caller's one line).
 */
export async function listTestFiles(vitestArgs: string[], root?: string, quiet = false): Promise<CollectedFiles> {
  // Checked as `vitest` checks them: an unknown flag is one line, not a swallowed filter.
  const { filter, options } = await parseVitestArgs(vitestArgs)
  const { createVitest } = await import('vitest/node')
  const vitest = await createVitest('test', { ...options, ...(root ? { root } : {}), watch: false, run: true } as never, quiet ? { logLevel: 'silent' } : {})
  try {
    const specs = await vitest.globTestSpecifications(filter)
    return { root: vitest.config.root, files: specs.map(s => ({ project: s.project.name, file: s.moduleId })) }
  } finally {
    await vitest.close()
  }
}
