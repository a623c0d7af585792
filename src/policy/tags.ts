// The memory_intensive tag: where a file gets it (comment, glob, measured history), and whether
// the lane this run is in starts the file at all. Pure functions: no processes, no Vitest.
import picomatch from 'picomatch'
import type { MemoryIntensiveMode } from '../options.js'
import { formatBytes } from '../size.js'

export const MEMORY_INTENSIVE = 'memory_intensive'

/** The tag as Vitest's `tags` config defines it: `tags: [memoryIntensiveTag]`. */
export const memoryIntensiveTag = {
  name: MEMORY_INTENSIVE,
  description: 'heavy on memory (vitest-memory): a @module-tag comment, a memoryIntensive glob, or a measured peak above memoryIntensiveAbove',
} as const

export interface LastMeasured {
  peakBytes: number
  /** ISO date of the run that measured it. */
  at: string
  /** The run before it, when the history has one: its peak. */
  previousPeakBytes?: number | null
}

export interface TagInputs {
  /** Relative to the root, forward slashes. */
  relativeFile: string
  /** The file's own `@module-tag` tags, as Vitest found them. */
  fileTags: readonly string[]
  globs: readonly string[]
  /** Peaks above this tag the file; null turns the history source off. */
  aboveBytes: number | null
  lastMeasured: LastMeasured | null
}

/** Why the file is memory_intensive ("comment", "glob <pattern>", "history: 1.80 GB on 2026-11-20"), or null. */
export function memoryIntensiveSource(input: TagInputs): string | null {
  if (input.fileTags.includes(MEMORY_INTENSIVE)) return 'comment'
  for (const glob of input.globs) {
    if (picomatch(glob, { dot: true })(input.relativeFile)) return `glob ${glob}`
  }
  const last = input.lastMeasured
  if (input.aboveBytes != null && last && last.peakBytes > input.aboveBytes) {
    return `history: ${formatBytes(last.peakBytes)} on ${last.at.slice(0, 10)}`
  }
  return null
}

/**
 * Tagged from the history by its last run alone: the run before was under the threshold (or there
 * was none). A fast lane that skips such a file says so once, so a regression never turns
 * silently into a skip.
 */
export function newlyFromHistory(input: TagInputs, source: string | null): boolean {
  if (!source?.startsWith('history') || input.aboveBytes == null) return false
  const previous = input.lastMeasured?.previousPeakBytes
  return previous == null || previous <= input.aboveBytes
}

/** Why the lane does not start this file, or null when it does. */
export function laneSkipReason(mode: MemoryIntensiveMode, tagSource: string | null): string | null {
  if (mode === 'skip' && tagSource) return 'memory_intensive, not started by --skip-memory-intensive'
  if (mode === 'only' && !tagSource) return 'not memory_intensive, not started by --only-memory-intensive'
  return null
}

/** Above this many tag combinations the check gives up and lets the file start (Vitest still filters it). */
const MAX_COMBINATIONS = 1 << 14

/**
 * True when a tags filter can match no test of the file: every test inherits the file's tags and
 * may add any of `testTagCandidates`, so the filter must fail for all of those combinations.
 * `matches` is Vitest's own compiled filter expression.
 */
export function excludedAtFileLevel(matches: (tags: string[]) => boolean, fileTags: readonly string[], testTagCandidates: readonly string[]): boolean {
  const extra = [...new Set(testTagCandidates)].filter(tag => !fileTags.includes(tag))
  if (2 ** extra.length > MAX_COMBINATIONS) return false
  for (let mask = 0; mask < 2 ** extra.length; mask++) {
    const tags = [...fileTags, ...extra.filter((_, bit) => mask & (1 << bit))]
    if (matches(tags)) return false
  }
  return true
}
