// The lifecycle of a shared test process (isolate: false): one process runs files one after
// another until it dies, is recycled, or Vitest stops the worker. This keeps what the worker needs
// to know about the current process: its number in the run, the files it ran (each file's
// neighbours), and whether it must be replaced after a file.
import { readCgroupLimit } from '../measure/machine.js'
import { readProcessMemory } from '../measure/procfs.js'
import type { SharedFileFigures, RecycleRecord, SharedRun } from '../model.js'
import type { ResolvedMemoryOptions } from '../options.js'
import { autoRecycleAbove, recycleReason } from '../policy/recycle.js'
import { runSession } from '../run-session.js'
import { totalmem } from 'node:os'

interface ProcessRecord {
  number: number
  pid: number
  /** Relative paths of the files it ran, in order. */
  files: string[]
}

/** Vitest's environment of a task: a reused process keeps it, so only an equal one may follow. */
export interface TaskEnvironment {
  name: string
  options?: unknown
}

export class SharedLifecycle {
  private current: ProcessRecord | null = null
  readonly recycleAboveBytes: number | null

  /** `recycleAboveBytes`: a threshold decided elsewhere (vm mode: vm-lifecycle.ts), else from the options. */
  constructor(
    options: ResolvedMemoryOptions,
    workers: number,
    private readonly project: string,
    recycleAboveBytes?: number | null,
  ) {
    this.recycleAboveBytes = recycleAboveBytes !== undefined ? recycleAboveBytes : resolvedRecycleAbove(options, workers)
  }

  /**
   * A file is handed to process `pid`: returns where it runs. A process not seen before gets the
   * next number of the run. `lastRssBytes`: the process's RSS at the end of its previous file.
   */
  placeFile(pid: number, relativeFile: string, lastRssBytes?: number): SharedRun {
    if (this.current?.pid !== pid) {
      const state = runSession()
      state.sharedProcesses++
      this.current = { number: state.sharedProcesses, pid, files: [] }
    }
    const previousFile = this.current.files.at(-1) ?? null
    this.current.files.push(relativeFile)
    // Replaced by the process's own reading when the file ends; kept for a file that dies.
    const startRssBytes = lastRssBytes ?? readProcessMemory(pid)?.rssBytes ?? 0
    return { process: this.current.number, order: this.current.files.length, previousFile, startRssBytes }
  }

  /** The process measured the file itself: its own figures replace the pool's outside reading. */
  static withFigures(run: SharedRun, figures: SharedFileFigures | undefined): SharedRun {
    if (!figures) return run
    return { ...run, ...figures, order: run.order, startRssBytes: figures.startRssBytes }
  }

  /**
   * After a file finished: the record of a recycle when the process must be replaced before the
   * next file (what it holds after the GC is over the threshold), else null.
   */
  recycleAfter(pid: number, rssAfterFileBytes: number | null): RecycleRecord | null {
    const rss = rssAfterFileBytes ?? readProcessMemory(pid)?.rssBytes ?? null
    if (!recycleReason(rss, this.recycleAboveBytes) || this.current?.pid !== pid) return null
    const record: RecycleRecord = {
      at: Date.now(),
      project: this.project,
      process: this.current.number,
      pid,
      rssBytes: rss!,
      thresholdBytes: this.recycleAboveBytes!,
      files: [...this.current.files],
    }
    const state = runSession()
    state.recycles.push(record)
    state.journal?.write({
      t: 'recycle',
      at: record.at,
      file: record.files.at(-1) ?? '',
      pid,
      process: record.process,
      rssBytes: record.rssBytes,
      thresholdBytes: record.thresholdBytes,
      files: record.files.length,
    })
    this.current = null
    return record
  }

  /** The process is gone (died, stopped): the next file starts a new one. */
  processEnded(pid: number): void {
    if (this.current?.pid === pid) this.current = null
  }
}

/** The recycling threshold the options give a shared process: a size, 'auto' for `workers`, or none. */
export function resolvedRecycleAbove(options: Pick<ResolvedMemoryOptions, 'recycleAbove'>, workers: number): number | null {
  return options.recycleAbove === 'auto' ? autoRecycleAbove(readCgroupLimit(), totalmem(), workers) : options.recycleAbove
}

/** Whether a task's environment is the one the shared process was set up with (name and options). */
export function sameEnvironment(a: TaskEnvironment | undefined, b: TaskEnvironment | undefined): boolean {
  if (!a || !b) return a === b
  return a.name === b.name && JSON.stringify(a.options ?? null) === JSON.stringify(b.options ?? null)
}
