// Vitest's runner helpers (createFileTask, createTagsFilter), taken from the Vitest that is running:
// a package in 4.x, chunks of Vitest's own dist in 5.x.
import { readdirSync, readFileSync } from 'node:fs'
import { createRequire } from 'node:module'
import { join } from 'node:path'
import { pathToFileURL } from 'node:url'
import type { TestProject, Vitest } from 'vitest/node'

interface TagDefinition {
  name: string
  description?: string
}

interface RunnerFileTask {
  mode: string
  result?: { state: string }
  tags?: string[]
}

interface RunnerUtils {
  createFileTask: (filepath: string, root: string, projectName: string | undefined, pool?: string, viteEnvironment?: string, meta?: object) => RunnerFileTask
  createTagsFilter: (expressions: string[], defined: TagDefinition[]) => (tags: string[]) => boolean
}

const runnerUtils = new Map<string, Promise<RunnerUtils>>()

/** The major version of the running Vitest (`vitest.version`, e.g. "5.1.1" → 5). */
export function vitestMajor(vitest: Vitest): number {
  return Number.parseInt(String((vitest as { version?: string }).version), 10) || 0
}

/**
 * Vitest's own runner helpers, from the Vitest that is running (its `distPath`), so the versions
 * match and the file ids equal the ones Vitest gives its TestSpecifications.
 * - 4.x: the `@vitest/runner/utils` package Vitest depends on (pnpm does not hoist it).
 * - 5.x: the runner is bundled into Vitest and not exported: `dist/task-utils.js` (unhashed) has
 *   `createFileTask`, and `createTagsFilter` lives in a hashed chunk that exports it by name.
 */
function vitestRunnerUtils(vitest: Vitest): Promise<RunnerUtils> {
  const distPath = (vitest as unknown as { distPath: string }).distPath
  let utils = runnerUtils.get(distPath)
  if (!utils) {
    utils = vitestMajor(vitest) >= 5 ? bundledRunnerUtils(distPath) : packagedRunnerUtils(distPath)
    runnerUtils.set(distPath, utils)
  }
  return utils
}

async function packagedRunnerUtils(distPath: string): Promise<RunnerUtils> {
  const fromVitest = createRequire(join(distPath, '..', 'package.json'))
  return (await import(pathToFileURL(fromVitest.resolve('@vitest/runner/utils')).href)) as RunnerUtils
}

async function bundledRunnerUtils(distPath: string): Promise<RunnerUtils> {
  const { createFileTask } = (await import(pathToFileURL(join(distPath, 'task-utils.js')).href)) as Pick<RunnerUtils, 'createFileTask'>
  const chunks = join(distPath, 'chunks')
  for (const name of readdirSync(chunks)
    .filter(n => n.endsWith('.js'))
    .sort()) {
    const alias = /export \{[^}]*\bcreateTagsFilter as ([\w$]+)/.exec(readFileSync(join(chunks, name), 'utf8'))?.[1]
    if (!alias) continue
    const chunk = (await import(pathToFileURL(join(chunks, name)).href)) as Record<string, unknown>
    if (typeof chunk[alias] === 'function') return { createFileTask, createTagsFilter: chunk[alias] as RunnerUtils['createTagsFilter'] }
  }
  throw new Error(`vitest-memory: no createTagsFilter in ${chunks}; this Vitest version is not supported by the tag gate.`)
}

/** Adds a tag to a project's `tags` unless defined there: before workers start, so `strictTags` accepts it. */
export function ensureTagDefined(config: { tags?: TagDefinition[] }, tag: TagDefinition): void {
  config.tags ??= []
  if (!config.tags.some(t => t.name === tag.name)) config.tags.push({ ...tag })
}

/** Compiles `--tags-filter` expressions with Vitest's own parser; null when Vitest would reject them (it says why itself). */
export async function compileTagsFilter(vitest: Vitest, expressions: string[], defined: TagDefinition[]): Promise<((tags: string[]) => boolean) | null> {
  const { createTagsFilter } = await vitestRunnerUtils(vitest)
  try {
    return createTagsFilter(expressions, defined)
  } catch {
    return null
  }
}

/**
 * A File task as Vitest's worker would create it, with the id of the file's TestSpecification
 * (5.x puts the blob label into the id, passed as `meta`; 4.x takes no meta and ignores it).
 */
export async function newFileTask(project: TestProject, filepath: string): Promise<RunnerFileTask> {
  const { createFileTask } = await vitestRunnerUtils(project.vitest)
  const label = (project.config as { mergeReportsLabel?: string }).mergeReportsLabel
  return createFileTask(filepath, project.config.root, project.config.name, String(project.config.pool), undefined, { __vitest_label__: label })
}
