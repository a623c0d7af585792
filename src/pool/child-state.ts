// The per-test tracker of a test file's process. child.ts (a native import) and the injected
// setup file (evaluated by Vitest's module runner, so a separate module instance) share it
// through globalThis.
import { readOwnPeak } from '../measure/self.js'
import { hasProcfs, readProcessMemory, resetPeak } from '../measure/procfs.js'
import { TestPeakTracker, type MemoryProbe } from '../measure/test-peaks.js'

/** Settings the pool hands to the child in this environment variable (JSON). */
export const CHILD_SETTINGS_ENV = 'VITEST_MEMORY_CHILD_SETTINGS'

export interface ChildSettings {
  /** Force a GC after each test and record the heap left (needs `--expose-gc`). */
  detectLeaks: boolean
  /** Attach each test's memory to it as a Vitest test annotation. */
  annotations?: boolean
}

const KEY = Symbol.for('vitest-memory.child-tracker')

export function childTracker(settings: ChildSettings = { detectLeaks: false }): TestPeakTracker {
  const holder = globalThis as { [KEY]?: TestPeakTracker, [SETTINGS_KEY]?: ChildSettings }
  holder[SETTINGS_KEY] ??= settings
  holder[KEY] ??= new TestPeakTracker(ownProbe(settings))
  return holder[KEY]
}

const SETTINGS_KEY = Symbol.for('vitest-memory.child-settings')

/** The settings child.ts read at start, for the setup file (another module instance). */
export function childSettings(): ChildSettings {
  return (globalThis as { [SETTINGS_KEY]?: ChildSettings })[SETTINGS_KEY] ?? { detectLeaks: false, annotations: true }
}

function ownProbe(settings: ChildSettings): MemoryProbe {
  const gc = (globalThis as { gc?: () => void }).gc
  const heapUsed = () => process.memoryUsage().heapUsed
  const forcedGc = settings.detectLeaks && typeof gc === 'function' ? () => gc() : undefined
  if (hasProcfs() && readProcessMemory('self')) {
    return {
      readPeak: () => readProcessMemory('self')?.hwmBytes ?? 0,
      readRss: () => readProcessMemory('self')?.rssBytes ?? 0,
      resetPeak: () => resetPeak('self'),
      heapUsed,
      gc: forcedGc,
    }
  }
  // getrusage's maxRSS cannot be reset: per-test peaks become the running maximum (read the way
  // the file's own peak is, so a maxRSS inherited across fork+exec is not taken for it).
  return {
    readPeak: () => readOwnPeak().peakRssBytes,
    readRss: () => process.memoryUsage.rss(),
    resetPeak: () => false,
    heapUsed,
    gc: forcedGc,
  }
}

export function readChildSettings(env: NodeJS.ProcessEnv = process.env): ChildSettings {
  const raw = env[CHILD_SETTINGS_ENV]
  delete env[CHILD_SETTINGS_ENV]
  const parsed = raw ? JSON.parse(raw) as Partial<ChildSettings> : {}
  return { detectLeaks: parsed.detectLeaks === true, annotations: parsed.annotations !== false }
}
