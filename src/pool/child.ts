// Entry of a test file's process: Vitest's own fork worker, unchanged, plus one thing:
// when the worker reports a finished file, the process's exact peak RSS rides along.
import { pathToFileURL } from 'node:url'
import { readOwnPeak, type OwnPeak } from '../measure/self.js'
import type { TestPeakMethod } from '../measure/test-peaks.js'
import { childTracker, readChildSettings } from './child-state.js'
import { startPreload } from './preload.js'

const entry = process.env.VITEST_MEMORY_WORKER_ENTRY
if (!entry || !process.send) throw new Error('vitest-memory: the child entry must be forked by the memory pool')
delete process.env.VITEST_MEMORY_WORKER_ENTRY
const tracker = childTracker(readChildSettings())

// Vitest's worker binds process.send when it loads, so the wrapper must be in place first.
const send = process.send.bind(process) as (...args: unknown[]) => boolean
process.send = ((message: any, ...rest: unknown[]) => {
  if (message?.__vitest_worker_response__ && message.type === 'testfileFinished') {
    message = { ...message, vitestMemory: filePeak() }
  }
  return send(message, ...rest)
}) as typeof process.send

export interface ChildFilePeak {
  setupPeakRssBytes: number
  testPeakMethod: TestPeakMethod
}

/** The kernel's peak was reset per test: the file's peak is the maximum of every reading. */
function filePeak(): OwnPeak & ChildFilePeak {
  const own = readOwnPeak()
  const file = tracker.fileFinished()
  return {
    ...own,
    peakRssBytes: Math.max(own.peakRssBytes, file.peakRssBytes),
    setupPeakRssBytes: file.setupPeakRssBytes,
    testPeakMethod: tracker.method,
  }
}

// Dead man's switch: the IPC channel closes only when the runner is gone (killed by SIGKILL, so it
// could not clean up). Nothing this file started may outlive it: kill the whole process group,
// which this process leads (the pool forks it detached).
const ownGroup = process.env.VITEST_MEMORY_OWN_GROUP === '1'
delete process.env.VITEST_MEMORY_OWN_GROUP
process.once('disconnect', () => {
  if (ownGroup) process.kill(-process.pid, 'SIGKILL')
  process.kill(process.pid, 'SIGKILL')
})

await import(pathToFileURL(entry).href)
// A spare loads its test environment's library while it waits (nothing when forked for a file).
startPreload()
