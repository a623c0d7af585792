// Decides, before any process exists, whether a file handed to the pool is started: the fast lane
// (--skip-memory-intensive), the heavy lane (--only-memory-intensive) and a `--tags-filter` that
// excludes the whole file all stop it here, so its top-level code never runs; so does a malformed
// `@memory-budget`/`@memory-limit` comment, which fails the file (annotation-gate.ts).
import { relative } from 'node:path'
import { statSync } from 'node:fs'
import type { TestProject, WorkerRequest } from 'vitest/node'
import type { ResolvedMemoryOptions } from '../options.js'
import { readAnnotations } from '../policy/annotations.js'
import { failOnBadAnnotations } from './annotation-gate.js'
import { budgetFor } from '../policy/budget.js'
import { excludedAtFileLevel, laneSkipReason, MEMORY_INTENSIVE, memoryIntensiveSource, newlyFromHistory, type LastMeasured } from '../policy/tags.js'
import { entryKey, historyIndex, peekHistory, type HistoryEntry } from '../record/history.js'
import { measurementKey, runSession } from '../run-session.js'
import { compileTagsFilter } from '../vitest-internals/runner-utils.js'
import { reportSkippedFile } from '../vitest-internals/tasks.js'

type FileRequest = Extract<WorkerRequest, { type: 'run' | 'collect' }>
type FileSpec = FileRequest['context']['files'][number]

/**
 * Resolves the file's tags and records them for the reporter. Returns true when the file must not
 * start: it has then been reported to Vitest as skipped. A tag from a glob or the history is added
 * to the request's file tags, so Vitest's own filtering inside the worker sees what the pool saw.
 */
export async function skipBeforeStart(request: FileRequest, project: TestProject, options: ResolvedMemoryOptions): Promise<boolean> {
  const spec = request.context.files[0]
  if (!spec) return false
  const relativeFile = relative(project.config.root, spec.filepath).split('\\').join('/')
  // A malformed budget or limit comment fails that file here, before any process.
  if (request.type === 'run' && (await failOnBadAnnotations(project, spec.filepath, relativeFile))) return true
  const fileTags = spec.fileTags ?? []
  const inputs = {
    relativeFile,
    fileTags,
    globs: options.memoryIntensiveGlobs,
    aboveBytes: options.memoryIntensiveAboveBytes ?? fileBudget(spec.filepath, relativeFile, options),
    lastMeasured: lastMeasured(options.historyPath, project.name, relativeFile),
  }
  const tagSource = memoryIntensiveSource(inputs)
  const tags = tagSource && !fileTags.includes(MEMORY_INTENSIVE) ? [...fileTags, MEMORY_INTENSIVE] : [...fileTags]
  const skipReason = laneSkipReason(options.memoryIntensiveMode, tagSource) ?? (await tagsFilterReason(spec, tags, project))
  runSession().tagging.set(measurementKey(project.name, spec.filepath), {
    tags,
    tagSource,
    skipReason,
    ...(newlyFromHistory(inputs, tagSource) ? { newly: true } : {}),
  })
  if (skipReason) {
    await reportSkippedFile(project, spec.filepath, tags, request.type)
    return true
  }
  spec.fileTags = tags
  return false
}

/** Without memoryIntensiveAbove, a file is heavy when it went over its own budget last time. */
function fileBudget(file: string, relativeFile: string, options: ResolvedMemoryOptions): number | null {
  try {
    return budgetFor(relativeFile, readAnnotations(file), options)?.bytes ?? null
  } catch {
    return null // a malformed @memory-budget is reported when the file runs
  }
}

const histories = new Map<string, { mtimeMs: number; index: Map<string, HistoryEntry> }>()

/** The file's most recent measured peak; the history is read once per change, never modified here. */
function lastMeasured(path: string | null, project: string, relativeFile: string): LastMeasured | null {
  if (!path) return null
  let mtimeMs: number
  try {
    mtimeMs = statSync(path).mtimeMs
  } catch {
    return null
  }
  let cached = histories.get(path)
  if (cached?.mtimeMs !== mtimeMs) {
    const history = peekHistory(path)
    cached = { mtimeMs, index: history ? historyIndex(history) : new Map() }
    histories.set(path, cached)
  }
  const runs = cached.index.get(entryKey(project, relativeFile))?.runs
  const run = runs?.at(-1)
  const before = runs && runs.length > 1 ? runs.at(-2) : undefined
  const peakBytes = run ? (run.treePeakRssBytes ?? run.peakRssBytes) : null
  const previousPeakBytes = before ? (before.treePeakRssBytes ?? before.peakRssBytes) : null
  return run && peakBytes != null ? { peakBytes, at: run.at, previousPeakBytes } : null
}

/** Why the user's own `--tags-filter` excludes the whole file, or null. */
async function tagsFilterReason(spec: FileSpec, tags: string[], project: TestProject): Promise<string | null> {
  const expressions = spec.testTagsFilter ?? project.config.tagsFilter
  if (!expressions?.length) return null
  const defined = project.config.tags ?? []
  const wildcard = expressions.some(e => e.includes('*'))
  // Without strictTags a test may carry tags nobody defined, which a wildcard could match.
  if (wildcard && project.config.strictTags === false) return null
  const matches = await compileTagsFilter(project.vitest, expressions, defined)
  if (!matches) return null
  // The filter's value depends only on the tags it names, so only those are worth combining.
  const candidates = defined.map(t => t.name).filter(name => wildcard || expressions.some(e => e.includes(name)))
  if (!excludedAtFileLevel(matches, tags, candidates)) return null
  return `excluded by --tags-filter ${expressions.map(e => `"${e}"`).join(' ')}`
}
