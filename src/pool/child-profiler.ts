// In a test file's process under --heap-profile=peak (imported by child.ts before anything else):
// starts the profiler thread (peak-thread.ts), and holds the file's end until its best profile is
// on disk, so the pool finds it when it hears the file finished. Without the setting: nothing.
import type { PeakProfileSettings } from '../profile/peak-files.js'
import { isWorkerResponse } from './protocol.js'

/** The same name as PEAK_PROFILE_ENV in peak-files.ts, not imported: off, this module loads nothing. */
const PEAK_PROFILE_ENV = 'VITEST_MEMORY_PEAK_PROFILE'

/** The final flush writes a profile already in memory: a few ms; past this the file ends without it. */
const FINAL_FLUSH_WAIT_MS = 2000

const raw = process.env[PEAK_PROFILE_ENV]
delete process.env[PEAK_PROFILE_ENV]
if (raw && process.send) await startPeakProfiler(JSON.parse(raw) as PeakProfileSettings)

async function startPeakProfiler(settings: PeakProfileSettings): Promise<void> {
  const { getHeapStatistics } = await import('node:v8')
  const { Worker } = await import('node:worker_threads')
  const flushed = new SharedArrayBuffer(4)
  const flag = new Int32Array(flushed)
  const thread = new Worker(new URL('./peak-thread.js', import.meta.url), {
    workerData: { ...settings, pid: process.pid, heapLimitBytes: getHeapStatistics().heap_size_limit, flushed },
    stdout: true,
    stderr: true,
  })
  // The thread never keeps the process alive, and its failure never fails the tests (it writes why).
  thread.unref()
  let ready = false
  thread.on('message', message => {
    if (message === 'ready') ready = true
  })
  thread.on('error', () => {
    ready = false
  })
  // child.ts wraps process.send after this module ran: the file's end passes through here first.
  const send = process.send!.bind(process) as (...args: unknown[]) => boolean
  process.send = ((message: any, ...rest: unknown[]) => {
    if (ready && isWorkerResponse(message, 'testfileFinished')) {
      Atomics.store(flag, 0, 0)
      thread.postMessage('flush')
      Atomics.wait(flag, 0, 0, FINAL_FLUSH_WAIT_MS)
    }
    return send(message, ...rest)
  }) as typeof process.send
}
