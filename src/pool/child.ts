// Entry of a test file's process: Vitest's own fork worker, unchanged, plus one thing:
// when the worker reports a finished file, the process's exact peak RSS rides along.
// First: under --heap-profile=peak it wraps process.send before the wrapper below binds it.
import './child-profiler.js'
import { enableCompileCache, flushCompileCache } from './compile-cache.js'
import { pathToFileURL } from 'node:url'
import { readOwnPeak, type OwnPeak } from '../measure/self.js'
import {
  BATCH_MARK,
  FILE_BOUNDARY_KEY,
  isVmSettleRequest,
  isWorkerRequest,
  isWorkerResponse,
  vmFileStart,
  vmRetained,
  vmSettled,
  type FileBoundary,
} from './protocol.js'
import { childTracker, readChildSettings, sharedFileMeter, type ChildFilePeak } from './child-state.js'
import { startPreload } from './preload.js'
import { installVmBoundary } from './vm-mode.js'
import { isVmWorkerEntry } from '../vitest-internals/worker-entries.js'
import { startSelfReadings } from './self-readings.js'
import { installRunnerHooks, type FileBoundaries, type FileEndHook } from './runner-hooks.js'
import { testRunnerSource } from '../vitest-internals/runner-class.js'
import { askPool, isJudged, receiveLinkMessage } from './verdict-link.js'

// Before anything heavy is imported: Vitest's worker and the environment's library come from it.
enableCompileCache()

const entry = process.env.VITEST_MEMORY_WORKER_ENTRY
if (!entry || !process.send) throw new Error('vitest-memory: the child entry must be forked by the memory pool')
delete process.env.VITEST_MEMORY_WORKER_ENTRY
const settings = readChildSettings()
// withMemoryBudget() (test.ts) asks whether its test is measured: on `process`, seen from a vm context too.
Object.defineProperty(process, Symbol.for('vitest-memory.measured-process'), { value: true })
const tracker = childTracker(settings)
// A shared process (isolate: false) measures each file at its boundaries. Handed one file per
// `run` request (the pool split Vitest's batch), a request is a file boundary; handed a batch
// whole (marked by the pool), the runner reports where each file starts and ends.
const vm = isVmWorkerEntry(entry)
const meter = settings.shared ? sharedFileMeter(settings) : null
let runningBatch = false

// Vitest's worker binds process.send when it loads, so the wrapper must be in place first.
const send = process.send.bind(process) as (...args: unknown[]) => boolean
process.send = ((message: any, ...rest: unknown[]) => {
  if (isWorkerResponse(message, 'testfileFinished') && !runningBatch) {
    message = { ...message, vitestMemory: filePeak() }
  }
  return send(message, ...rest)
}) as typeof process.send

// Off Linux the pool cannot read this process from outside: it sends its own readings.
if (settings.selfReadingsMs) startSelfReadings(send, settings.selfReadingsMs)

/** The kernel's peak was reset per test: the file's peak is the maximum of every reading. */
function filePeak(): OwnPeak & ChildFilePeak {
  const own = readOwnPeak()
  const file = tracker.fileFinished()
  // After the peak is read: the GC must not be part of the file's figures.
  // vm mode: the GC waits for the file's context to be let go (at the next file's start).
  const shared = (vm ? meter?.fileEndedUnsettled() : meter?.fileFinished()) ?? undefined
  return {
    ...own,
    peakRssBytes: Math.max(own.peakRssBytes, file.peakRssBytes),
    setupPeakRssBytes: file.setupPeakRssBytes,
    testPeakMethod: tracker.method,
    ...(shared ? { shared } : {}),
  }
}

function fileStarted(): void {
  meter?.fileStarted()
  tracker.fileStarted()
}

function boundary(message: FileBoundary): void {
  send({ [FILE_BOUNDARY_KEY]: message })
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

// Per-test peaks come from Vitest's own runner class, wrapped before the worker can run a test
// (a project with its own `runner` gets setup-file hooks instead: see inject.ts). The class's
// module is imported after the worker when the worker loads it anyway (then nothing is read
// from disk in between and no request is handled before the wrap), else before the worker.
// In vm mode each file's context loads its own copy of Vitest's runner: the native class is not it.
const runnerSource = vm ? null : testRunnerSource(entry)
const boundaries: FileBoundaries | undefined = meter
  ? {
      fileStarted: file => {
        if (!runningBatch) return
        fileStarted()
        boundary({ type: 'start', file })
      },
      fileFinished: file => {
        if (runningBatch) boundary({ type: 'end', file, vitestMemory: filePeak() })
      },
    }
  : undefined
// A file with a budget asks the pool for its verdict before Vitest settles it (verdict-link.ts):
// an error in the answer makes it a failed file in Vitest's own state.
const fileEnd: FileEndHook = async suite => {
  if (!suite.filepath || !isJudged(suite.filepath)) return
  const ownPeakRssBytes = Math.max(readOwnPeak().peakRssBytes, tracker.fileFinished().peakRssBytes)
  const reply = await askPool({ kind: 'file', file: suite.filepath, ownPeakRssBytes, startRssBytes: meter?.startRssBytes ?? null })
  if (reply?.error && suite.result) {
    suite.result.errors = [...(suite.result.errors ?? []), reply.error]
    suite.result.state = 'fail'
  }
}
if (runnerSource && !runnerSource.loadedByWorker) await installRunnerHooks(runnerSource, boundaries, fileEnd)
await import(pathToFileURL(entry).href)
if (runnerSource?.loadedByWorker) await installRunnerHooks(runnerSource, boundaries, fileEnd)

// The pool's answers and tree figures (verdict-link.ts); listened to only now that Vitest's
// worker listens (see the note on listeners below).
process.prependListener('message', receiveLinkMessage)

// The compile cache is flushed once the libraries are loaded, and again when Vitest stops the
// process (the test's own dependencies): the pool ends the process with a signal.
process.prependListener('message', (message: any) => {
  if (isWorkerRequest(message, 'stop')) flushCompileCache()
})

if (meter) {
  // Put first among the listeners once Vitest's worker listens (a listener added before it would
  // start reading the IPC channel and Vitest would miss the start request): the file's peak is
  // reset before the worker begins the file.
  process.prependListener('message', (message: any) => {
    if (isWorkerRequest(message, 'run', 'collect')) {
      runningBatch = message[BATCH_MARK] === true
      // vm mode: the file starts at the vm boundary below, once its context is set up.
      if (!runningBatch && !vm) fileStarted()
    }
  })
  // vm mode: Vitest lets go of the previous file's context only once it sets up the next one, so
  // a file is measured from its first setup file on (the pool's, run in the file's own context):
  // its peak reset and start reading there, and the pool's tree sampler restarts with it.
  if (vm) {
    installVmBoundary(() => {
      const late = meter.settlePrevious()
      if (late) send(vmRetained(late))
      fileStarted()
      send(vmFileStart())
    })
    // The process's last file has no next file to settle it: it is settled when Vitest stops the
    // process (before the run's report, which waits for it), or when the pool asks at the run's
    // end. Its context is still Vitest's then, so what it kept there counts too.
    process.prependListener('message', (message: unknown) => {
      // At Vitest's stop too, before Vitest's own listener (it ends by removing every listener).
      if (isVmSettleRequest(message) || isWorkerRequest(message, 'stop')) send(vmSettled(meter.settlePrevious()))
    })
  }
}

// A spare loads its test environment's library while it waits (nothing when forked for a file).
void startPreload().then(flushCompileCache)
