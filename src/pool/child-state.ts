// The per-test tracker of a test file's process. child.ts (a native import) and the injected
// setup file (evaluated by Vitest's module runner, so a separate module instance) share it
// through `process`: the one object every realm of the process sees (in vm mode the setup file
// runs in the file's own vm context, whose globalThis is not the process's; Vitest's vm runtime
// gives each context the process's `process`).
import { getHeapStatistics, setFlagsFromString } from 'node:v8'
import { runInNewContext } from 'node:vm'
import { OwnProcfs } from '../measure/own-procfs.js'
import { readOwnPeak } from '../measure/self.js'
import { SharedFileMeter } from '../measure/shared-file.js'
import type { SharedFileFigures, TestPeakMethod } from '../model.js'
import { hasProcfs } from '../measure/procfs.js'
import { TestPeakTracker, type MemoryProbe } from '../measure/test-peaks.js'

/** Settings the pool hands to the child in this environment variable (JSON). */
export const CHILD_SETTINGS_ENV = 'VITEST_MEMORY_CHILD_SETTINGS'

export interface ChildSettings {
  /** Force a GC after each test and record the heap left (needs `--expose-gc`). */
  detectLeaks: boolean
  /** Attach each test's memory to it as a Vitest test annotation. */
  annotations?: boolean
  /** The process runs many files one after another (isolate: false): measure each at its boundaries. */
  shared?: boolean
  /** Shared: a forced GC after a file once JavaScript's memory grew this much since the last one. */
  gcAboveBytes?: number
  /** Without procfs (off Linux): send the process's own RSS to the pool this often (self-readings.ts). */
  selfReadingsMs?: number
}

/** What a test process measured of one file, beside its own peak (OwnPeak). */
export interface ChildFilePeak {
  setupPeakRssBytes: number
  testPeakMethod: TestPeakMethod
  /** Set in a shared process: what it held at the start and kept after the file. */
  shared?: SharedFileFigures
}

const KEY = Symbol.for('vitest-memory.child-tracker')

export function childTracker(settings: ChildSettings = { detectLeaks: false }): TestPeakTracker {
  const holder = process as unknown as { [KEY]?: TestPeakTracker; [SETTINGS_KEY]?: ChildSettings }
  holder[SETTINGS_KEY] ??= settings
  holder[KEY] ??= new TestPeakTracker(ownProbe(settings))
  return holder[KEY]
}

const SETTINGS_KEY = Symbol.for('vitest-memory.child-settings')

/** The settings child.ts read at start, for the setup file (another module instance). */
export function childSettings(): ChildSettings {
  return (process as unknown as { [SETTINGS_KEY]?: ChildSettings })[SETTINGS_KEY] ?? { detectLeaks: false, annotations: true }
}

function ownProbe(settings: ChildSettings): MemoryProbe {
  const gc = (globalThis as { gc?: () => void }).gc
  // The same figure as process.memoryUsage().heapUsed, without the RSS reading that comes with it.
  const heapUsed = () => getHeapStatistics().used_heap_size
  const forcedGc = settings.detectLeaks && typeof gc === 'function' ? () => gc() : undefined
  const own = hasProcfs() ? OwnProcfs.get() : null
  if (own) {
    return {
      read: () => {
        const memory = own.read()
        return { peakBytes: memory?.hwmBytes ?? 0, rssBytes: memory?.rssBytes ?? 0 }
      },
      resetPeak: () => own.resetPeak(),
      heapUsed,
      gc: forcedGc,
    }
  }
  // getrusage's maxRSS cannot be reset: per-test peaks become the running maximum (read the way
  // the file's own peak is, so a maxRSS inherited across fork+exec is not taken for it).
  return {
    read: () => ({ peakBytes: readOwnPeak().peakRssBytes, rssBytes: process.memoryUsage.rss() }),
    resetPeak: () => false,
    heapUsed,
    gc: forcedGc,
  }
}

export function readChildSettings(env: NodeJS.ProcessEnv = process.env): ChildSettings {
  const raw = env[CHILD_SETTINGS_ENV]
  delete env[CHILD_SETTINGS_ENV]
  const parsed = raw ? (JSON.parse(raw) as Partial<ChildSettings>) : {}
  return {
    detectLeaks: parsed.detectLeaks === true,
    annotations: parsed.annotations !== false,
    shared: parsed.shared === true,
    gcAboveBytes: typeof parsed.gcAboveBytes === 'number' ? parsed.gcAboveBytes : 0,
    ...(typeof parsed.selfReadingsMs === 'number' && parsed.selfReadingsMs > 0 ? { selfReadingsMs: parsed.selfReadingsMs } : {}),
  }
}

/** The per-file meter of a shared process: its GC is V8's, obtained without a global `gc`. */
export function sharedFileMeter(settings: ChildSettings): SharedFileMeter {
  const gc = hiddenGc()
  const own = hasProcfs() ? OwnProcfs.get() : null
  return new SharedFileMeter(
    {
      readRss: () => own?.read()?.rssBytes ?? process.memoryUsage.rss(),
      readJs: () => {
        // process.memoryUsage()'s heapUsed + external, without the RSS reading that comes with it.
        const heap = getHeapStatistics()
        return heap.used_heap_size + heap.external_memory
      },
      resetPeak: () => own?.resetPeak() ?? false,
      gc,
      now: () => performance.now(),
    },
    { gcAboveBytes: settings.gcAboveBytes ?? 0, gcEveryFile: settings.detectLeaks },
  )
}

/**
 * A callable full GC without `--expose-gc` on the command line, which would put `gc` on the test
 * files' global object and change their environment: the flag is set for a moment, V8 gives the
 * function to a fresh context, and the flag is cleared again.
 */
function hiddenGc(): () => void {
  const existing = (globalThis as { gc?: () => void }).gc
  if (typeof existing === 'function') return existing
  setFlagsFromString('--expose-gc')
  const gc = runInNewContext('gc') as () => void
  setFlagsFromString('--no-expose-gc')
  return gc
}
