// Heavy and long files first: with history present, a run whose tail is one heavy file alone is
// a run that waited for it. Installed by the CLI when the config has no sequencer of its own.
import { relative } from 'node:path'
import { BaseSequencer, type TestSpecification } from 'vitest/node'
import { median, predictPeak } from './policy/admission.js'
import { entryKey, historyIndex, lastPeak, peekHistory, type HistoryEntry } from './record/history.js'
import { runSession } from './run-session.js'
import { adoptUnpooledProjects } from './adopt.js'
import { recordQueue } from './schedule/queue-forecast.js'
import { maxOf } from './numbers.js'

export class MemorySequencer extends BaseSequencer {
  override async sort(files: TestSpecification[]): Promise<TestSpecification[]> {
    adoptUnpooledProjects(files)
    const sorted = this.byWeight(await super.sort(files))
    // The spares booted ahead load the environment of the files coming next.
    await recordQueue(sorted)
    return sorted
  }

  private byWeight(sorted: TestSpecification[]): TestSpecification[] {
    const weight = this.weights()
    if (!weight) return sorted
    const position = new Map(sorted.map((spec, i) => [spec, i]))
    // Vitest's own order of groups and projects stays; within one, heavier and longer first
    // (isolated files only).
    return [...sorted].sort((a, b) => {
      const group = a.project.config.sequence.groupOrder - b.project.config.sequence.groupOrder
      if (group !== 0 || a.project.name !== b.project.name) return position.get(a)! - position.get(b)!
      // Files that share a process (isolate: false) see what the files before them left: the
      // order is Vitest's, or a suite that passes under Vitest could fail here (or the reverse).
      if (a.project.config.isolate === false) return position.get(a)! - position.get(b)!
      return weight(b) - weight(a) || position.get(a)! - position.get(b)!
    })
  }

  /** A file's weight: its share of the heaviest peak plus its share of the longest duration. */
  private weights(): ((spec: TestSpecification) => number) | null {
    const root = this.ctx.config.root
    const options = runSession().options(root)
    if (!options.historyPath) return null
    // Read only: a corrupt file is set aside (and reported) by the writer at the end of the run.
    const history = peekHistory(options.historyPath)
    if (!history || history.entries.length === 0) return null
    const index = historyIndex(history)
    const peaks = history.entries.map(lastPeak).filter((p): p is number => p != null)
    const durations = history.entries.map(lastDuration).filter((d): d is number => d != null)
    const maxPeak = maxOf(peaks, 1)
    const maxDuration = maxOf(durations, 1)
    const medianDuration = median(durations) ?? 0
    return spec => {
      const entry = index.get(entryKey(spec.project.name, relative(root, spec.moduleId).split('\\').join('/')))
      const peak = predictPeak(lastPeak(entry), peaks)
      const duration = lastDuration(entry) ?? medianDuration
      return peak / maxPeak + duration / maxDuration
    }
  }
}

function lastDuration(entry: HistoryEntry | undefined): number | null {
  return entry?.runs.at(-1)?.durationMs ?? null
}
