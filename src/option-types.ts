// The shapes of vitest-memory's options: what a user writes in memoryPool({ … }), one layer of
// them as the environment or the command line gives it, and the resolved, validated result.
// Types only; options.ts resolves and validates them.

export type BudgetMode = 'fail' | 'warn'
export type MemoryIntensiveMode = 'run' | 'skip' | 'only'

/** What a user writes in `memoryPool({ ... })`. */
export interface MemoryPoolOptions {
  /** Peak RSS allowed per test file, e.g. "512MB". Files above it fail the run (or warn). */
  budget?: string
  /** Per-file budgets by glob (relative to the project root): `{ 'test/e2e/**': '2GB' }`. */
  budgets?: Record<string, string>
  /** 'fail' (default) exits 1 when a file is over budget; 'warn' only reports. */
  budgetMode?: BudgetMode
  /** Where the JSON report goes (default `.vitest-memory/report.json`, relative to the root). */
  report?: string
  /** @deprecated Ignored, with a warning: the table lists the 10 heaviest files and every one over budget, crashed or killed. */
  top?: number
  /** @deprecated Ignored, with a warning: the process tree is sampled every 50 ms (10 ms near a hard limit). */
  sampleIntervalMs?: number
  /** Attach each test's memory to it as a Vitest test annotation (Vitest UI, VS Code, html/junit reporters). Default true. */
  annotations?: boolean
  /** A test process that has not finished starting after this many milliseconds is killed and its file fails. Default 60000. */
  startTimeout?: number
  /** The measured history (default `.vitest-memory/history.json`); `false` keeps none. */
  history?: string | false
  /** Files tagged `memory_intensive` by glob (relative to the project root): `['test/e2e/**']`. */
  memoryIntensive?: string[]
  /** A file whose last measured peak in the history exceeded this is tagged `memory_intensive`. Default: its budget. */
  memoryIntensiveAbove?: string
  /** 'run' (default) runs every file; 'skip' never starts tagged files; 'only' starts nothing else. */
  memoryIntensiveMode?: MemoryIntensiveMode
  /** Memory the running files may hold together: a size, or 'auto' (80% of the container's limit or of total memory). */
  maxMemory?: string
  /**
   * Test processes kept booted ahead of time, so a file starts on a ready process (a jsdom or
   * happy-dom file's on one that already loaded its environment). Default 'auto': as many as the
   * free cores and memory allow, within the room under --max-memory; a number keeps that many; 0 turns it off.
   */
  spareProcesses?: number | 'auto'
  /** Force a GC after every test and flag files whose retained heap keeps growing. */
  detectLeaks?: boolean
  /**
   * Run files under V8's sampling heap profiler: 'peak' keeps, per file, what was live at its highest
   * memory (also for a file that was killed); 'over-budget' re-runs the files over budget that way
   * after the main run; 'all' writes what was still live when each process exited.
   */
  heapProfile?: HeapProfileMode
  /** Write the self-contained HTML report; `true` = `.vitest-memory/report.html`; a path must end in `.html`. */
  html?: string | boolean
  /** Write a Markdown summary to this path. */
  markdown?: string
  /** A saved report.json to compare this run with; a file that grew too much fails the run. */
  compareTo?: string
  /** Growth that fails the comparison, e.g. "20%" (default). */
  failOnIncrease?: string
  /** ... and only when a file grew by at least this much, e.g. "20MB" (default). */
  minDelta?: string
  /** Hard limit on a file's process tree RSS, e.g. "2GB": over it the tree is killed and the file fails. */
  memoryLimit?: string
  /** Per-file hard limits by glob (relative to the project root): `{ 'test/e2e/**': '4GB' }`. */
  limits?: Record<string, string>
  /** The flight recorder (default `.vitest-memory/journal.jsonl`); `false` keeps none. */
  journal?: string | false
  /** isolate: false only: replace a shared process whose RSS after a file exceeds this (a size, a %, or 'auto'). */
  recycleAbove?: string
  /** @deprecated Ignored, with a warning: with isolate: false a file that leaves 50 MB or more after a GC is named. */
  retainedAbove?: string
  /** isolate: false only: budgets judge what a file added above its process's start ('added', default) or its whole peak ('absolute'). */
  sharedBudget?: SharedBudget
  /**
   * vm mode: each file runs in a fresh vm context of Vitest's own vm runtime (what `pool: 'vmForks'`
   * runs), in a process that runs files one after another and is measured per file. Default false.
   */
  vm?: boolean
}

export type SharedBudget = 'added' | 'absolute'

export type HeapProfileMode = 'over-budget' | 'all' | 'peak'

export interface ResolvedMemoryOptions {
  budgetBytes: number | null
  budgets: { glob: string; bytes: number }[]
  budgetMode: BudgetMode
  reportPath: string
  /** A constant now (options.ts TABLE_ROWS); kept so the readers of this shape stay as they are. */
  top: number
  /** A constant now (options.ts TREE_SAMPLE_INTERVAL_MS). */
  sampleIntervalMs: number
  /** How long a test process may take to finish starting before it is killed and its file fails. */
  startTimeoutMs: number
  annotations: boolean
  historyPath: string | null
  memoryIntensiveGlobs: string[]
  memoryIntensiveAboveBytes: number | null
  memoryIntensiveMode: MemoryIntensiveMode
  /** null: no ceiling. */
  maxMemoryBytes: number | null
  spareProcesses: number | 'auto'
  detectLeaks: boolean
  heapProfile: HeapProfileMode | null
  htmlPath: string | null
  markdownPath: string | null
  compareTo: string | null
  /** Relative growth (0.2 = 20%) beyond which a file fails the comparison. */
  failOnIncrease: number
  minDeltaBytes: number
  limitBytes: number | null
  limits: { glob: string; bytes: number }[]
  journalPath: string | null
  /** A size, 'auto' (resolved per project from its worker count), or null: never recycle. */
  recycleAbove: number | 'auto' | null
  /** A constant now (policy/retained.ts DEFAULT_RETAINED_ABOVE). */
  retainedAboveBytes: number
  sharedBudget: SharedBudget
  /** vm mode: Vitest's vm runtime in the test processes (see MemoryPoolOptions.vm). */
  vm: boolean
  /** The outputs the user asked for by name (flag, env or config), not by default: failing to write one fails the run. */
  askedFor: { report: boolean; history: boolean; journal: boolean }
}

/**
 * One layer of options as the environment or the command line gives them: `null` (or `false`)
 * is an explicit "off" that overrides the config, e.g. VITEST_MEMORY_HTML=0.
 */
export type OptionLayer = { [K in keyof MemoryPoolOptions]?: MemoryPoolOptions[K] | null }
