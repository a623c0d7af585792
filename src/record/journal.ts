// The flight recorder: one JSON line per event, each written with a synchronous append the moment
// it happens. A line that write() returned for is in the kernel's page cache, so it survives the
// runner being killed by SIGKILL (the OOM killer, a CI timeout); only a power cut could lose it.
import type { PeakProcess, AllocationSite } from '../model.js'
import { closeSync, openSync, renameSync, rmSync } from 'node:fs'
import { makeDirFor } from '../state-dir.js'
import { mayReplace, openInPlace, outputKind, writeAllInPlace } from './output-path.js'

export type JournalEntry =
  | {
      t: 'run'
      $schema?: string
      at: number
      pid: number
      startTime?: number | null
      argv: string[]
      cwd: string
      limitBytes: number | null
      limits: { glob: string; bytes: number }[]
      totalMemoryBytes: number
      cgroupLimitBytes: number | null
      cpus: number
    }
  | { t: 'file-boot'; at: number; file: string; project: string; pid: number }
  | { t: 'file-start'; at: number; file: string; project: string; pid: number; limitBytes: number | null }
  | { t: 'sample'; at: number; file: string; pid: number; rssBytes: number; treeRssBytes: number }
  | {
      t: 'file-end'
      at: number
      file: string
      pid: number
      state: string
      peakRssBytes: number | null
      treePeakRssBytes: number | null
      durationMs: number
      signal?: string | null
      exitCode?: number | null
      cause?: string
      shared?: SharedEndFields
      treePeakProcesses?: PeakProcess[]
    }
  | { t: 'recycle'; at: number; file: string; pid: number; process: number; rssBytes: number; thresholdBytes: number; files: number }
  | { t: 'aborted'; at: number; signal: string; running: { file: string; pid: number; treeRssBytes: number | null; runningMs: number }[] }
  | { t: 'run-end'; at: number; durationMs: number }
  /** The runner exited before the run ended, neither finished nor stopped by a signal. */
  | { t: 'exit'; at: number; exitCode: number | null }
  /** --heap-profile=peak: the top allocation sites live at the file's highest memory so far (its process's latest flush). */
  | {
      t: 'sites'
      at: number
      file: string
      pid: number
      capturedAtRssBytes: number
      sampledBytes: number
      arrayBuffersBytes: number | null
      sites: AllocationSite[]
    }

/** On a file-end line of a file that ran in a shared process (isolate: false). */
export interface SharedEndFields {
  process: number
  order: number
  startRssBytes: number
  retainedBytes: number | null
  retainedHeapBytes: number | null
}

/** While a file's RSS changes, a sample line is written at most this often (and so at least once a second). */
export const SAMPLE_EVERY_MS = 500
/** Changes smaller than this are not worth a line. */
export const SAMPLE_MIN_CHANGE_BYTES = 1024 * 1024

export class Journal {
  private fd: number | null
  readonly startedAt = Date.now()
  /** This run set the previous journal aside as `<name>.previous` (put back by discard()). */
  private rotated = false
  /** The file is this run's own (not a FIFO or device written in place). */
  private ours = false

  /**
   * Starts a new journal for a run; the previous run's journal is kept as `<name>.previous`.
   * `onWriteFailure` hears of the first line that could not be written (a full disk); the journal
   * stops there, and the run goes on.
   */
  constructor(
    readonly path: string,
    private readonly onWriteFailure: (error: unknown) => void = () => {},
  ) {
    // Throws for a folder, a link, a block device: only our own regular file is set aside.
    const kind = outputKind(path)
    // A FIFO or a device (/dev/null): written in place, never rotated.
    if (kind === 'in-place') {
      this.fd = openInPlace(path)
      return
    }
    makeDirFor(path)
    this.ours = true
    const previous = `${path}.previous`
    // Rotated only onto nothing or an old journal of ours; otherwise this run's journal starts empty.
    if (kind === 'file' && mayReplace(previous)) {
      renameSync(path, previous)
      this.rotated = true
    }
    this.fd = openSync(path, 'w')
  }

  /** Opened at a path the run turned out not to use: removed, and the previous journal put back. */
  discard(): void {
    this.close()
    if (!this.ours) return
    try {
      if (this.rotated) renameSync(`${this.path}.previous`, this.path)
      else rmSync(this.path, { force: true })
    } catch {
      // gone already
    }
  }

  write(entry: JournalEntry): void {
    if (this.fd === null) return
    try {
      // All of it, or an error: a full disk may first take part of a line.
      writeAllInPlace(this.fd, `${JSON.stringify(entry)}\n`)
    } catch (error) {
      // A full disk must not fail the test run: the journal stops here, and says so once.
      this.close()
      this.onWriteFailure(error)
    }
  }

  close(): void {
    if (this.fd === null) return
    try {
      closeSync(this.fd)
    } catch {
      // a device that failed its writes may fail its close too
    }
    this.fd = null
  }
}
