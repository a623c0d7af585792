// The files and the channel between a test file's process profiling at its peak and the pool:
// where the process flushes its best profile, what the small JSON beside it says, and the
// socket the pool asks it through for one last capture before a limit kill. Loaded in the
// profiler thread too: no imports beyond Node's (and model.ts's types, erased when compiled) and state-dir.ts.
import { existsSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs'
import { connect } from 'node:net'
import { tmpdir } from 'node:os'
import { dirname, join, resolve } from 'node:path'
import type { PeakFlushMeta } from '../model.js'
import { makeDirFor } from '../state-dir.js'

/** Under the journal's folder: the profiles of processes still running (or that died unannounced). */
export const INFLIGHT_DIR = 'profiles/inflight'
/** Settings the pool hands to a test process that profiles at its peak (JSON); child-profiler.ts repeats the name. */
export const PEAK_PROFILE_ENV = 'VITEST_MEMORY_PEAK_PROFILE'

export interface PeakProfileSettings {
  /** Where the process flushes `<pid>.heapprofile` and `<pid>.json`. */
  dir: string
  /** Average bytes between two samples of V8's sampling heap profiler. */
  samplingIntervalBytes: number
}

export function inflightPaths(dir: string, pid: number): { profile: string; meta: string } {
  return { profile: join(dir, `${pid}.heapprofile`), meta: join(dir, `${pid}.json`) }
}

/** The inflight folder of a run: next to its journal, or under the root's .vitest-memory without one. */
export function inflightDir(journalPath: string | null, root: string): string {
  return journalPath ? join(dirname(journalPath), INFLIGHT_DIR) : resolve(root, '.vitest-memory', INFLIGHT_DIR)
}

/**
 * The profiler thread's socket. An abstract socket on Linux (no file left behind by a killed
 * process), a named pipe on Windows, a file in the temp folder elsewhere.
 */
export function peakSocketPath(pid: number): string {
  if (process.platform === 'win32') return `\\\\.\\pipe\\vitest-memory-peak-${pid}`
  if (process.platform === 'linux') return `\0vitest-memory-peak-${pid}`
  return join(tmpdir(), `vitest-memory-peak-${pid}.sock`)
}

/** A temp file in the same folder, then rename: a reader (or a SIGKILL) never sees half a file. */
export function writeAtomic(path: string, text: string): void {
  makeDirFor(path)
  const temp = `${path}.${process.pid}.tmp`
  writeFileSync(temp, text)
  renameSync(temp, path)
}

export function readPeakMeta(dir: string, pid: number): PeakFlushMeta | null {
  const { meta } = inflightPaths(dir, pid)
  if (!existsSync(meta)) return null
  try {
    return JSON.parse(readFileSync(meta, 'utf8')) as PeakFlushMeta
  } catch {
    return null
  }
}

export function removeInflight(dir: string, pid: number): void {
  const { profile, meta } = inflightPaths(dir, pid)
  rmSync(profile, { force: true })
  rmSync(meta, { force: true })
}

/**
 * Asks the process for a capture now, and resolves once it has flushed it (true) or after
 * `timeoutMs` (false). The profiler thread answers even while a test runs synchronously.
 */
export function requestPeakCapture(pid: number, timeoutMs: number): Promise<boolean> {
  return new Promise(done => {
    let answer = ''
    const socket = connect(peakSocketPath(pid))
    const finish = (ok: boolean) => {
      clearTimeout(timer)
      socket.destroy()
      done(ok)
    }
    const timer = setTimeout(() => finish(false), timeoutMs)
    socket.setEncoding('utf8')
    socket.on('data', chunk => {
      answer += chunk
    })
    socket.on('end', () => finish(answer.startsWith('flushed')))
    socket.on('error', () => finish(false))
  })
}
