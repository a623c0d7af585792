// `vitest-memory plan --memory SIZE [--shards N | --target-duration D]`: the workers and shards that
// keep each CI job under its memory, from the measured history. Prints the plan JSON on stdout and
// a short summary on stderr (stdout stays the matrix a CI step captures).
import { existsSync, readFileSync } from 'node:fs'
import { totalmem } from 'node:os'
import { relative } from 'node:path'
import { shown, UsageError } from '../errors.js'
import { readCgroupLimit } from '../measure/machine.js'
import type { ResolvedMemoryOptions } from '../options.js'
import { readAnnotations } from '../policy/annotations.js'
import { budgetFor } from '../policy/budget.js'
import { BARE_NODE_BYTES, fitJob, type FitFile, type FitPlan, type Unfit } from '../policy/job-fit.js'
import { hasMemoryIntensiveTag } from '../policy/module-tag.js'
import { memoryIntensiveSource } from '../policy/tags.js'
import { displayPath } from '../record/display-path.js'
import { historyIndex, inspectHistory, lastPeak } from '../record/history.js'
import { formatBytes, formatDuration, parseSize, SizeError } from '../size.js'
import { runSession } from '../run-session.js'

/** The job's memory: a size, or "auto" for this machine's (or its container's, when smaller). */
export function planMemory(value: string): number {
  let bytes: number
  if (value.trim().toLowerCase() === 'auto') {
    const limit = readCgroupLimit()
    bytes = limit != null ? Math.min(limit, totalmem()) : totalmem()
  } else {
    try {
      bytes = parseSize(value, '--memory')
    } catch (error) {
      if (error instanceof SizeError) throw new UsageError(`${error.message.replace(/\.$/, '')}; or "auto" (this machine's or container's memory).`)
      throw error
    }
  }
  if (bytes < BARE_NODE_BYTES) {
    throw new UsageError(
      `--memory ${shown(value)} is less than a bare Node process (${formatBytes(BARE_NODE_BYTES)}): give the job's whole memory, e.g. "3GB" or "auto".`,
    )
  }
  return bytes
}

const DURATION_UNITS: Record<string, number> = { ms: 1, s: 1000, m: 60_000, min: 60_000, h: 3_600_000 }

/** `--target-duration`: "90s", "10m", "1.5h", "800ms". */
export function targetDuration(value: string): number {
  const match = /^\s*(\d+(?:\.\d+)?)\s*(ms|s|m|min|h)\s*$/i.exec(value)
  const ms = match ? Number(match[1]) * DURATION_UNITS[match[2].toLowerCase()] : NaN
  if (!(ms >= 1)) throw new UsageError(`Invalid --target-duration ${shown(value)}: write a duration with a unit, e.g. "90s", "10m" or "1h".`)
  return ms
}

export interface FitPlanInput {
  root: string
  files: { project: string; file: string }[]
  historyPath: string
  memoryBytes: number
  shards?: number
  targetDurationMs?: number
}

/** The plan, or null when a file cannot fit the job even alone (the summary names it: exit 1). */
export function fitPlan(input: FitPlanInput): { plan: FitPlan | null; summary: string } {
  const shownPath = displayPath(input.historyPath)
  // Unlike the plain plan, which weighs unmeasured files alike, a fit without figures is a guess.
  if (!existsSync(input.historyPath))
    throw new UsageError(`--memory needs a measured history: ${shownPath} does not exist; run "vitest-memory run" once first, or give --memory-history PATH.`)
  // Entries dropped from it are warned about by the plan command, which reads it too.
  const { history, warning } = inspectHistory(input.historyPath)
  if (!history) throw new UsageError(`--memory needs a measured history, and ${warning}.`)
  const index = historyIndex(history)
  // The plan command sets no flags of a run: the session's command-line layer is empty here.
  const options = runSession().options(input.root)
  const fitFiles: FitFile[] = input.files.map(({ project, file }) => {
    const relativeFile = toPosix(relative(input.root, file))
    const entry = index.get(`${project}\0${relativeFile}`)
    const peakBytes = lastPeak(entry)
    return {
      file: toPosix(relative(process.cwd(), file)),
      durationMs: entry?.runs.at(-1)?.durationMs ?? null,
      peakBytes,
      memoryIntensive: memoryIntensive(file, relativeFile, options, peakBytes, entry?.runs.at(-1)?.at),
    }
  })
  if (!fitFiles.some(f => f.peakBytes != null)) {
    const why = history.entries.length === 0 ? 'no entries' : 'no measured peak for these files'
    throw new UsageError(`--memory needs a measured history: ${shownPath} has ${why}; run "vitest-memory run" once first.`)
  }
  const result = fitJob(fitFiles, { memoryBytes: input.memoryBytes, shards: input.shards, targetDurationMs: input.targetDurationMs })
  if (!result.ok) return { plan: null, summary: unfitLines(result.unfit, input.memoryBytes) }
  const lines = summary(result.plan)
  if (result.targetMissed)
    lines.push(`  the target ${formatDuration(input.targetDurationMs)} cannot be met: the slowest shard is one long file (or every file has its own shard)`)
  const unmeasured = result.plan.unmeasured.length
  if (unmeasured > 0) lines.push(`  ${unmeasured} file${unmeasured === 1 ? '' : 's'} not in the history, weighed as the median file`)
  return { plan: result.plan, summary: lines.join('\n') }
}

/** Why the file is memory_intensive, by the sources the pool uses: comment, glob, history. */
function memoryIntensive(file: string, relativeFile: string, options: ResolvedMemoryOptions, peakBytes: number | null, at: string | undefined): string | null {
  let source = ''
  try {
    source = readFileSync(file, 'utf8')
  } catch {
    // unreadable: Vitest says so when it runs the file
  }
  if (hasMemoryIntensiveTag(source)) return 'comment'
  let budget: number | null = null
  try {
    budget = budgetFor(relativeFile, readAnnotations(file), options)?.bytes ?? null
  } catch {
    // a malformed @memory-budget is reported when the file runs
  }
  return memoryIntensiveSource({
    relativeFile,
    fileTags: [],
    globs: options.memoryIntensiveGlobs,
    aboveBytes: options.memoryIntensiveAboveBytes ?? budget,
    lastMeasured: peakBytes != null && at ? { peakBytes, at } : null,
  })
}

function summary(plan: FitPlan): string[] {
  const files = plan.shards.reduce((n, s) => n + s.files.length, 0)
  const lines = [
    `vitest-memory plan: ${files} file${files === 1 ? '' : 's'} for a ${formatBytes(plan.memoryBytes)} job (the runner itself counted at ${formatBytes(plan.runnerBytes)})`,
  ]
  if (plan.shards.length > 1) lines.push(`  unsharded it would take --max-workers ${plan.maxWorkers}`)
  for (const s of plan.shards) {
    lines.push(
      `  shard ${s.index}/${plan.shards.length}: ${s.files.length} file${s.files.length === 1 ? '' : 's'} · --max-workers ${s.maxWorkers} --max-memory ${s.maxMemory} · predicted peak ${formatBytes(s.predictedPeakBytes)} · ~${formatDuration(s.predictedDurationMs)}`,
    )
  }
  const lane = plan.heavyLane
  if (lane) {
    lines.push(`  heavy lane (in no shard; run alone, maxWorkers 1, on a job of at least ${formatBytes(lane.requiredMemoryBytes)}):`)
    for (const f of lane.files) lines.push(`    ${f.file} ${formatBytes(f.peakBytes)} (memory_intensive: ${f.memoryIntensive})`)
  }
  return lines
}

function unfitLines(unfit: Unfit[], memoryBytes: number): string {
  const head = `vitest-memory: ${unfit.length} file${unfit.length === 1 ? '' : 's'} cannot fit in a ${formatBytes(memoryBytes)} job even alone (beside the runner's own memory), whatever the split:`
  const tail = '  give the job more memory, or tag the file memory_intensive (// @module-tag memory_intensive) to plan it into the heavy lane.'
  return [head, ...unfit.map(f => `  ${f.file} ${formatBytes(f.peakBytes)}`), tail].join('\n')
}

function toPosix(path: string): string {
  return path.split('\\').join('/')
}
