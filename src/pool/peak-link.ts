// The pool's side of --heap-profile=peak for one running file: it mirrors each flush of the
// process into the journal (so `why` names the allocating lines of a run killed unannounced), asks
// for one last capture before a limit kill, and adopts the final flush as the file's profile.
import { existsSync, renameSync } from 'node:fs'
import { resolve } from 'node:path'
import type { TestProject } from 'vitest/node'
import { listDescendants } from '../measure/descendants.js'
import { hasProcfs } from '../measure/procfs.js'
import { SAMPLE_EVERY_MS } from '../record/journal.js'
import { outputKind } from '../record/output-path.js'
import { runSession } from '../run-session.js'
import { transformedSourceMap } from '../vitest-internals/tasks.js'
import { tryKill } from './kill-tree.js'
import { PROFILES_DIR } from './child-launch.js'
import { profileFileName } from '../profile/profile-name.js'
import { insideRoot, readHeapProfile, TOP_SITES, topAllocationSites } from '../profile/heap-profile.js'
import type { AllocationSite, PeakFlushMeta, PeakProfileRecord } from '../model.js'
import { inflightPaths, readPeakMeta, removeInflight, requestPeakCapture } from '../profile/peak-files.js'
import { createLineMapper } from '../profile/source-map.js'
import { makeDirFor } from '../state-dir.js'

/**
 * Before a limit kill the pool waits this long for the process's last capture (a capture forces a
 * GC of the whole heap: a second or so for a few GB), then kills anyway.
 */
export const CAPTURE_BEFORE_KILL_WAIT_MS = 1500
/** Sites per journal line: enough for `why`, small enough for a line. */
const JOURNAL_SITES = 5

export class PeakProfileLink {
  private lastFlushAt = 0
  private lastPollAt = 0
  private readonly mapLine

  constructor(
    private readonly dir: string,
    private readonly project: TestProject,
    private readonly relativeFile: string,
  ) {
    this.mapLine = createLineMapper(path => transformedSourceMap(project.vitest, path))
  }

  /** On each tree sample: a flush newer than the last one seen becomes a journal line. */
  poll(pid: number, now: number): void {
    if (now - this.lastPollAt < SAMPLE_EVERY_MS) return
    this.lastPollAt = now
    const meta = readPeakMeta(this.dir, pid)
    if (!meta || meta.error || meta.at <= this.lastFlushAt) return
    const sites = this.sitesOf(inflightPaths(this.dir, pid).profile)
    if (!sites) return
    this.lastFlushAt = meta.at
    this.journal(pid, meta, sites)
  }

  /**
   * The hard limit is about to kill the tree: the subprocesses are paused (SIGSTOP) so the tree
   * stops growing, and the process is asked for a capture now; resolves when it is on disk or the
   * wait is over. The process itself keeps running: its profiler thread is what answers.
   */
  async captureBeforeKill(pid: number): Promise<void> {
    if (hasProcfs()) for (const child of listDescendants(pid)) if (child !== pid) tryKill(child, 'SIGSTOP')
    await requestPeakCapture(pid, CAPTURE_BEFORE_KILL_WAIT_MS)
  }

  /**
   * The file ended or its process died: its last flush becomes the file's profile, moved out of
   * the inflight folder under the file's name (open it in Chrome DevTools).
   */
  adopt(pid: number, journalIt: boolean): PeakProfileRecord {
    const meta = readPeakMeta(this.dir, pid)
    const paths = inflightPaths(this.dir, pid)
    if (!meta || !existsSync(paths.profile)) {
      removeInflight(this.dir, pid)
      return { path: null, meta: null, sites: [], error: meta?.error ?? 'no capture: the process never grew 16 MB above its start' }
    }
    const root = this.project.config.root
    const name = profileFileName(this.project.name, this.relativeFile)
    const path = resolve(root, PROFILES_DIR, name)
    try {
      makeDirFor(path)
      // Only an old profile of ours is replaced: a link or a device at the name is the user's.
      outputKind(path)
      renameSync(paths.profile, path)
    } catch (error) {
      return { path: null, meta, sites: [], error: `could not keep the profile: ${(error as Error).message}` }
    } finally {
      removeInflight(this.dir, pid)
    }
    let sites: AllocationSite[]
    try {
      sites = this.readSites(path)
    } catch (error) {
      return { path, meta, sites: [], error: `unreadable profile: ${(error as Error).message}` }
    }
    if (journalIt) this.journal(pid, meta, sites)
    return { path, meta, sites }
  }

  private sitesOf(path: string): AllocationSite[] | null {
    try {
      return this.readSites(path)
    } catch {
      // still being renamed into place, or cut short: the next flush is read instead
      return null
    }
  }

  private readSites(path: string): AllocationSite[] {
    const root = this.project.config.root
    return topAllocationSites(readHeapProfile(path), TOP_SITES, this.mapLine).map(site => ({ ...site, file: insideRoot(root, site.file) }))
  }

  private journal(pid: number, meta: PeakFlushMeta, sites: AllocationSite[]): void {
    runSession().journal?.write({
      t: 'sites',
      at: meta.at,
      file: this.relativeFile,
      pid,
      capturedAtRssBytes: meta.capturedAtRssBytes,
      sampledBytes: meta.sampledBytes,
      arrayBuffersBytes: meta.arrayBuffersBytes,
      sites: sites.slice(0, JOURNAL_SITES),
    })
  }
}
