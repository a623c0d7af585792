// The profiler thread of a test file's process under --heap-profile=peak. A worker thread, so it
// keeps watching while a test runs synchronously: it reads the process's RSS every tick, and at
// each new high (by a meaningful step) takes V8's sampling heap profile of the MAIN thread through
// the inspector (the request is served as a V8 interrupt, between two of the test's statements).
// It keeps the capture taken closest to the peak, flushes it to disk as soon as it is taken, and
// answers the pool's "capture now" before a limit kill.
import { Session } from 'node:inspector'
import { createServer } from 'node:net'
import { workerData, parentPort } from 'node:worker_threads'
import { inflightPaths, peakSocketPath, writeAtomic, type PeakProfileSettings } from '../profile/peak-files.js'
import type { PeakFlushMeta } from '../model.js'

/** RSS is read this often: one cheap syscall; as often as the pool samples the tree. */
const CHECK_EVERY_MS = 50
/**
 * A capture forces a full GC of the main thread (the inspector's getSamplingProfile does, so it
 * reports only live objects): taken at every new high by max(16 MB, 10%), a file growing from
 * 100 MB to 2 GB is captured ~30 times, and the last capture is within 10% of the peak.
 */
const STEP_MIN_BYTES = 16 * 1024 * 1024
const STEP_SHARE = 0.1
/**
 * Captures may take at most this share of the main thread's time while it grows: the GC of a large
 * heap takes 100s of ms, and a file growing fast would otherwise spend more time captured than running.
 */
const MAX_CAPTURE_SHARE = 0.2
/**
 * An old generation this full may die of "heap out of memory" any moment: it is captured regardless
 * of the throttle (again each time it grows by another NEAR_LIMIT_STEP_SHARE of its limit).
 */
const NEAR_HEAP_LIMIT_SHARE = 0.8
const NEAR_LIMIT_STEP_SHARE = 0.05
/**
 * V8's heap_size_limit is the old generation's limit (--max-old-space-size) plus the young
 * generation's reserve: 3 semi-spaces of 16 MiB on 64-bit (measured on Node 20.20 and 22.23:
 * heap_size_limit = --max-old-space-size + 48 MiB). "Heap out of memory" is the old generation
 * running full, so the near-limit line is drawn against it: against heap_size_limit, 80% of a
 * 200 MB heap was 99% of its old generation (a capture at the brink, or none), of a 100 MB one 118%.
 */
const YOUNG_GENERATION_RESERVE_BYTES = 48 * 1024 * 1024

interface ThreadData extends PeakProfileSettings {
  pid: number
  heapLimitBytes: number
  /** One Int32 the main thread waits on while the thread writes the file's final flush. */
  flushed: SharedArrayBuffer
}

interface Capture {
  json: string
  meta: PeakFlushMeta
  /** What the capture saw alive: the heap after the capture's GC plus memory outside it. */
  liveBytes: number
}

const data = workerData as ThreadData
const flushedFlag = new Int32Array(data.flushed)
const paths = inflightPaths(data.dir, data.pid)
/** The old generation's limit; never taken below half the heap limit (a --max-semi-space-size far above the default). */
const oldGenerationLimitBytes = Math.max(data.heapLimitBytes - YOUNG_GENERATION_RESERVE_BYTES, data.heapLimitBytes / 2)
const session = new Session()
let best: Capture | null = null
let bestFlushed = true
let peakRssSeen = 0
/** RSS when sampling began, and at the last capture: the next one waits for a new high above both. */
let baselineRss = 0
let lastCaptureRss = 0
let nextCaptureAt = 0
let capturing: Promise<void> = Promise.resolve()
let busy = false
let heapCheckPending = false
/** The V8 heap at the last capture taken because the heap neared its limit. */
let nearLimitCapturedHeap = 0

function post<T>(method: string, params: object = {}): Promise<T> {
  return new Promise((done, fail) => session.post(method, params, (error, result) => (error ? fail(error) : done(result as T))))
}

function step(bytes: number): number {
  return Math.max(STEP_MIN_BYTES, bytes * STEP_SHARE)
}

interface SamplingNode {
  selfSize: number
  children?: SamplingNode[]
}

function sampledBytes(head: SamplingNode): number {
  let total = 0
  const stack = [head]
  while (stack.length) {
    const node = stack.pop()!
    total += node.selfSize
    if (node.children) stack.push(...node.children)
  }
  return total
}

/** process.memoryUsage() of the main thread, evaluated there (side-effect free) during the interrupt. */
async function mainMemoryUsage(): Promise<NodeJS.MemoryUsage | null> {
  try {
    const { result } = await post<{ result: { value?: string } }>('Runtime.evaluate', {
      expression: 'JSON.stringify(process.memoryUsage())',
      returnByValue: true,
      silent: true,
    })
    return typeof result.value === 'string' ? (JSON.parse(result.value) as NodeJS.MemoryUsage) : null
  } catch {
    return null
  }
}

async function capture(): Promise<void> {
  const rss = process.memoryUsage.rss()
  const started = Date.now()
  const { profile } = await post<{ profile: { head: SamplingNode } }>('HeapProfiler.getSamplingProfile')
  const usage = await mainMemoryUsage()
  const took = Date.now() - started
  nextCaptureAt = Date.now() + took * (1 / MAX_CAPTURE_SHARE - 1)
  lastCaptureRss = Math.max(lastCaptureRss, rss)
  const meta: PeakFlushMeta = {
    pid: data.pid,
    at: started,
    capturedAtRssBytes: rss,
    peakRssSeenBytes: Math.max(peakRssSeen, rss),
    sampledBytes: sampledBytes(profile.head),
    heapUsedBytes: usage?.heapUsed ?? null,
    heapTotalBytes: usage?.heapTotal ?? null,
    externalBytes: usage?.external ?? null,
    arrayBuffersBytes: usage?.arrayBuffers ?? null,
    heapLimitBytes: data.heapLimitBytes,
  }
  // Closest to the peak = the most memory alive. Not the highest RSS: RSS stays up for a while after
  // a file frees what it built, and a capture then would show nothing.
  const liveBytes = (meta.heapUsedBytes ?? meta.sampledBytes) + (meta.externalBytes ?? 0)
  if (best && best.liveBytes > liveBytes) return
  best = { json: JSON.stringify(profile), meta, liveBytes }
  bestFlushed = false
  // At once, not on a timer: V8's fatal "heap out of memory" aborts the process with no JS run, and
  // a capture still in memory then is lost (a file dying within 2 s of its first flush kept only that
  // one). A flush is a ~60 kB write on this thread; the capture before it cost a full GC.
  flush()
}

/** The profile first, then its JSON: the JSON's arrival says a complete profile is there. */
function flush(): void {
  if (!best || bestFlushed) return
  try {
    writeAtomic(paths.profile, best.json)
    writeAtomic(paths.meta, JSON.stringify({ ...best.meta, peakRssSeenBytes: Math.max(peakRssSeen, best.meta.peakRssSeenBytes) }))
    bestFlushed = true
  } catch {
    // a full disk must not fail the tests; the next flush tries again
  }
}

function queueCapture(): Promise<void> {
  capturing = capturing.then(capture).catch(() => {})
  return capturing
}

function tick(): void {
  const rss = process.memoryUsage.rss()
  peakRssSeen = Math.max(peakRssSeen, rss)
  const high = Math.max(baselineRss, lastCaptureRss)
  if (!busy && Date.now() >= nextCaptureAt && rss >= high + step(high)) {
    busy = true
    void queueCapture().finally(() => {
      busy = false
    })
  }
  checkHeapLimit()
  // A capture whose flush failed (a full disk) is tried again.
  if (!bestFlushed) flush()
}

/** The main thread's V8 heap (read through the inspector, no JS run there) against its limit. */
function checkHeapLimit(): void {
  if (heapCheckPending || busy) return
  heapCheckPending = true
  post<{ usedSize: number }>('Runtime.getHeapUsage')
    .then(
      ({ usedSize }) => {
        const near = oldGenerationLimitBytes * NEAR_HEAP_LIMIT_SHARE
        if (busy || usedSize < near || usedSize < nearLimitCapturedHeap + oldGenerationLimitBytes * NEAR_LIMIT_STEP_SHARE) return
        nearLimitCapturedHeap = usedSize
        busy = true
        void queueCapture().finally(() => {
          busy = false
        })
      },
      () => {},
    )
    .finally(() => {
      heapCheckPending = false
    })
}

function fail(error: unknown): void {
  const meta = { pid: data.pid, at: Date.now(), error: `the profiler could not start: ${(error as Error).message}` }
  try {
    writeAtomic(paths.meta, JSON.stringify(meta))
  } catch {}
}

let sampling = false

async function main(): Promise<void> {
  // Started first: the inspector's answers do not keep a thread alive, this timer does.
  setInterval(() => {
    if (sampling) tick()
  }, CHECK_EVERY_MS)
  session.connectToMainThread()
  await post('HeapProfiler.enable')
  await post('HeapProfiler.startSampling', { samplingInterval: data.samplingIntervalBytes })
  baselineRss = process.memoryUsage.rss()
  sampling = true
  // The pool's "capture now" (before a limit kill): capture, flush, answer. An idle process (a spare
  // not yet given a file) never grows past its baseline, so it writes nothing.
  const server = createServer(socket => {
    void queueCapture().then(() => {
      flush()
      socket.end(best ? 'flushed\n' : 'none\n')
    })
    socket.on('error', () => {})
  })
  server.on('error', () => {})
  server.listen(peakSocketPath(data.pid))
  // The file finished: the main thread waits (Atomics.wait) until the best capture is on disk.
  parentPort!.on('message', message => {
    if (message !== 'flush') return
    flush()
    Atomics.store(flushedFlag, 0, 1)
    Atomics.notify(flushedFlag, 0)
  })
  parentPort!.postMessage('ready')
}

main().catch(fail)
