// The plain data shapes every layer passes around: a file's measurement, its crash, its shared
// run, its tags, a test's figures, a profile's sites. Types only, and no imports: this is the
// bottom floor (src/README.md), so no folder needs another for a type.

// ---- A file of the run: its measurement, where it ran, its crash, its tags ----

export interface FileMeasurement {
  /** Absolute path of the test file. */
  file: string
  project: string
  pid: number
  method: MeasurementMethod
  /** Exact peak RSS of the file's process (VmHWM), or null when it died before it could be read. */
  peakRssBytes: number | null
  /** Peak of the summed RSS of the process and its descendants (sampled), never below peakRssBytes. */
  treePeakRssBytes: number | null
  durationMs: number
  startedAt: number
  budgetBytes: number | null
  /** Where the budget came from: "comment", "glob <pattern>" or "global". */
  budgetSource: string | null
  /** Peak before the first test started (imports, module code, beforeAll). */
  setupPeakRssBytes?: number | null
  testPeakMethod?: TestPeakMethod | null
  /** The heap profile the process writes when it exits (heapProfile: 'all'). */
  profilePath?: string | null
  /** What was live at the file's peak (heapProfile: 'peak'), taken by its process and adopted by the pool. */
  peakProfile?: PeakProfileRecord
  /** The test environment whose library the process (a spare) loaded before the file arrived. */
  preloadedEnvironment?: string | null
  /** The hard limit that applied to this file, and where it came from. */
  limitBytes?: number | null
  limitSource?: string | null
  /** Set when the file's process died (or was killed) before the file finished. */
  crash?: CrashRecord
  /** Set when the file ran in a shared process (isolate: false). */
  shared?: SharedRun
  /** The heaviest processes of its tree when the tree peaked, when it had subprocesses then. */
  treePeakProcesses?: PeakProcess[]
  /** Tests during which its subprocesses held memory: test id → the tree's peak while it ran. */
  testTreePeaks?: Record<string, number>
}

/** Where a file ran in a shared process, and what that process held and kept around it. */
export interface SharedRun extends Partial<SharedFileFigures> {
  /** The process's number in this run (1, 2, …): files with the same number shared a process. */
  process: number
  /** 1-based place of the file among the files of its process. */
  order: number
  /** The file that ran just before it in the same process (relative path), or null. */
  previousFile: string | null
  /** RSS when the file started (read by the process itself, else by the pool). */
  startRssBytes: number
}

/** A shared process the pool replaced because of what it held after a file. */
export interface RecycleRecord {
  /** Epoch milliseconds. */
  at: number
  project: string
  process: number
  pid: number
  rssBytes: number
  thresholdBytes: number
  /** The files it ran, in order (relative paths). */
  files: string[]
}

/** What the pool decided about a file's tags before starting it (or not). */
export interface FileTagging {
  /** The file's tags: Vitest's `@module-tag` comments plus `memory_intensive` from a glob or the history. */
  tags: string[]
  /** Why it is memory_intensive: "comment", "glob <pattern>", "history: 1.80 GB on 2026-11-20"; null if it is not. */
  tagSource: string | null
  /** Set when the file was never started: why. */
  skipReason: string | null
  /** Tagged from the history by its last run alone (the run before was under the threshold). */
  newly?: boolean
}

/** What is known about a file whose process died: plain data, it goes into the JSON report. */
export interface CrashRecord {
  /** `killed` by the pool's hard limit, `crash` for any other death, `aborted` when the runner was stopped. */
  state: 'crash' | 'killed' | 'aborted'
  cause: CrashCause | 'runner-aborted'
  signal: string | null
  exitCode: number | null
  /** The likely cause and what to try, as shown on the failed file. */
  explanation: string
  fix: string
  /** "<pid> <command>" of the heaviest process in the tree ("<pid> the test file's own process" for the file's), when the limit killed it. */
  heaviest?: string
}

/** A file of the run's queue, in the order Vitest starts them (recorded by MemorySequencer). */
export interface QueuedFile {
  /** `${project}\0${file}` */
  key: string
  project: string
  /** The test environment the file asks for (its comment, else the project's). */
  environment: string
}

// ---- How a figure was read ----

export type MeasurementMethod = 'procfs' | 'getrusage'

// ---- A process tree at its peak ----

/** One process of the tree when the tree peaked: which subprocess held what. */
export interface PeakProcess {
  pid: number
  /** Its command line; for the file's own process, null (it is Vitest's fork entry). */
  command: string | null
  rssBytes: number
}

// ---- A test's figures (task.meta) ----

/**
 * How per-test peaks were taken: `clear_refs` resets the kernel's high-water mark at every test
 * start (exact per test); `running-max` could not reset it, so a test's peak is the process's
 * highest RSS so far (it only says something when it rises).
 */
export type TestPeakMethod = 'clear_refs' | 'running-max'

/** What a test's process measured for one test; travels to the main process on `task.meta`. */
export interface TestMemory {
  /** Order in which the test finished, from 0. */
  order: number
  /**
   * Highest RSS while the test (with its beforeEach/afterEach hooks) ran: of its process tree
   * when its subprocesses were seen holding memory (then `ownPeakRssBytes` is the process's own).
   */
  peakRssBytes: number
  /** Set when the tree's figure is above the process's own peak: the process alone. */
  ownPeakRssBytes?: number
  /** RSS when the test started: `peakRssBytes - startRssBytes` is what the test added. */
  startRssBytes: number
  /** V8 heap used at the end minus at the start (no GC forced in between). */
  heapDeltaBytes: number
  /** V8 heap used after a forced GC at the end of the test (leak detection only). */
  heapAfterGcBytes: number | null
  durationMs: number
  /** Another test ran at the same time (test.concurrent): the peak is shared with it. */
  overlapping: boolean
  method: TestPeakMethod
}

// ---- A file in a shared process (isolate: false) ----

/** What a shared process measured around one file; travels to the pool with `testfileFinished`. */
export interface SharedFileFigures {
  /** 1 for the first file this process ran, 2 for the next, … */
  order: number
  /** RSS when the file started: what the process already held. */
  startRssBytes: number
  /**
   * RSS after the forced GC at the file's end, minus the same reading after the previous forced
   * GC; null when no GC ran after this file (it provably kept less than the GC trigger).
   */
  retainedBytes: number | null
  /** Heap + external memory, the same way. */
  retainedHeapBytes: number | null
  /** How many files the retained figures cover: 1 when the previous file was GC'd too. */
  retainedFiles: number
  /** RSS at the file's end (after the GC when one ran): what the process carries on. */
  endRssBytes: number
  /** How long the forced GC (and its readings) took: the price of knowing what the file left. */
  gcMs: number
}

// ---- The run's timeline ----

export interface TimelinePoint {
  /** Milliseconds since the run's first file started. */
  t: number
  /** Summed RSS of all running files' process trees. */
  rssBytes: number
}

// ---- Why a process died ----

export type CrashCause = 'start-timeout' | 'memory-limit' | 'v8-heap' | 'oom-killer' | 'sigkill' | 'native-crash' | 'abort' | 'signal' | 'exit'

// ---- The leak signal ----

export interface LeakVerdict {
  /** True when the retained heap grows steadily enough to be a likely leak. */
  likely: boolean
  /** Average growth of the heap after GC per test. */
  retainedPerTestBytes: number
  /** Growth from the first test to the last. */
  retainedTotalBytes: number
  /** Tests that had a heap-after-GC reading. */
  tests: number
  /** Steps between consecutive tests that grew by more than the noise floor. */
  growingSteps: number
}

// ---- Spare processes ----

/** How the files of a run found their processes: the JSON report's `run.spares`. */
export interface SpareStats {
  /** The setting: a number, or 'auto'. */
  setting: number | 'auto'
  /** Files started on a spare that had loaded their environment's library (or that needs none). */
  matched: number
  /**
   * Files whose environment differed from what every waiting spare had loaded: they started on a
   * spare that loaded nothing (and loaded their own environment) or on a fresh process.
   */
  environmentMismatch: number
  /** Files started on a fresh process because no spare was waiting (the run's first file, for one). */
  fresh: number
  /** Spares booted in the run, and the most that waited at once. */
  booted: number
  mostWaiting: number
}

// ---- Heap profiles ----

export interface AllocationSite {
  /** The allocating function, "(anonymous)" when it has no name. */
  functionName: string
  /** Where the function is defined: a path (file URLs are turned into paths) or a Node internal. */
  file: string
  /** 1-based line of the function's definition, or null when V8 gave none. */
  line: number | null
  /** Bytes the sampling profiler attributed to this function itself (its allocations still live at exit). */
  bytes: number
  /** bytes / all sampled bytes of the profile. */
  share: number
}

// ---- A file's peak profile ----

/** What the process knew when it took the profile: the small JSON next to the .heapprofile. */
export interface PeakFlushMeta {
  pid: number
  /** When the profile was taken (ms since the epoch). */
  at: number
  /** The process's RSS when the profile was taken. */
  capturedAtRssBytes: number
  /** The highest RSS the profiler thread saw, up to the flush. */
  peakRssSeenBytes: number
  /** Bytes the sampled live objects of the profile add up to. */
  sampledBytes: number
  /** process.memoryUsage() of the main thread at the capture, or null when it could not be read. */
  heapUsedBytes: number | null
  heapTotalBytes: number | null
  externalBytes: number | null
  arrayBuffersBytes: number | null
  /** V8's heap limit (--max-old-space-size): a heap near it is about to die of "heap out of memory". */
  heapLimitBytes: number
  /** Why there is no profile, when the profiler could not start or capture. */
  error?: string
}

/** What the pool keeps of a file's peak profile (plain data: it rides on the measurement). */
export interface PeakProfileRecord {
  /** The adopted .heapprofile (absolute), or null when the process flushed none. */
  path: string | null
  meta: PeakFlushMeta | null
  /** The top sites, source-mapped, with files relative to the root. */
  sites: { functionName: string; file: string; line: number | null; bytes: number; share: number }[]
  error?: string
}
