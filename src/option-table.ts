// Every memoryPool() option, declared once: the key the validator accepts, its flag and its
// environment variable as the reference shows them, its default and what it means. docs/reference.md
// is generated from this table (`npm run docs`); a test fails when the committed file differs, when
// a flag or variable the parser knows is missing here, or when this table names one it does not.

export interface OptionDoc {
  /** The memoryPool() key. */
  key: string
  /** The CLI flags, as the reference shows them ('—' when config-only). */
  flags: string
  /** The environment variables ('—' when none). */
  env: string
  default: string
  meaning: string
}

export const OPTIONS: OptionDoc[] = [
  { key: "budget", flags: "`--memory-budget SIZE`", env: "`VITEST_MEMORY_BUDGET`", default: "none", meaning: "peak a file may reach; over it the file is flagged and the run exits 1" },
  { key: "budgetMode", flags: "`--memory-budget-warn`", env: "`VITEST_MEMORY_BUDGET_MODE=warn`", default: "`'fail'`", meaning: "`'warn'` reports over-budget files without failing" },
  { key: "budgets", flags: "—", env: "—", default: "`{}`", meaning: "per-file budgets by glob, relative to the root: `{ 'test/e2e/**': '2GB' }`" },
  { key: "report", flags: "`--memory-report PATH`", env: "`VITEST_MEMORY_REPORT`", default: "`.vitest-memory/report.json`", meaning: "where the JSON report goes" },
  { key: "history", flags: "`--memory-history PATH`, `--no-memory-history`", env: "`VITEST_MEMORY_HISTORY`", default: "`.vitest-memory/history.json`", meaning: "per file, the last 5 measured peaks, durations and dates; merged after every run (`false` keeps none)" },
  { key: "maxMemory", flags: "`--max-memory SIZE\\|auto`", env: "`VITEST_MEMORY_MAX_MEMORY`", default: "none", meaning: "start a file only when its predicted peak fits beside the running files under SIZE; `auto` (any case): 80% of the container's memory limit, else of total memory ([memory-aware parallelism](parallelism-and-shards.md#memory-aware-parallelism---max-memory))" },
  { key: "spareProcesses", flags: "`--spare-processes N\\|auto`", env: "`VITEST_MEMORY_SPARE_PROCESSES`", default: "`'auto'`", meaning: "test processes kept booted ahead of time (loading a jsdom/happy-dom/edge-runtime file's library), so a file starts on a ready process; `auto` boots them only on cores no file runs on, within free memory and `--max-memory`; `0` turns it off" },
  { key: "memoryIntensive", flags: "—", env: "—", default: "`[]`", meaning: "globs, relative to the root, whose files are tagged `memory_intensive`: `['test/e2e/**']`" },
  { key: "memoryIntensiveAbove", flags: "`--memory-intensive-above SIZE`", env: "`VITEST_MEMORY_INTENSIVE_ABOVE`", default: "the file's budget", meaning: "a file whose last peak in the history exceeded SIZE is tagged `memory_intensive` (no budget and no SIZE: the history tags nothing)" },
  { key: "memoryIntensiveMode", flags: "`--skip-memory-intensive`, `--only-memory-intensive`", env: "`VITEST_MEMORY_SKIP_INTENSIVE=1`, `VITEST_MEMORY_ONLY_INTENSIVE=1`", default: "`'run'`", meaning: "`'skip'`: never start tagged files (fast lane); `'only'`: start nothing else (heavy lane) — see [A fast lane for CI](fast-lane.md#a-fast-lane-for-ci)" },
  { key: "top", flags: "—", env: "—", default: "`10`", meaning: "rows in the terminal table (over-budget files are always listed)" },
  { key: "sampleIntervalMs", flags: "—", env: "—", default: "`50`", meaning: "how often the process tree is sampled (every 10 ms at most while a file has a hard limit)" },
  { key: "startTimeout", flags: "—", env: "—", default: "`60000`", meaning: "a test process that has not finished starting after this many milliseconds is killed and its file fails, naming what it was doing (Vitest's own start timeout is 60 s too)" },
  { key: "annotations", flags: "—", env: "`VITEST_MEMORY_ANNOTATIONS`", default: "`true`", meaning: "attach each test's memory (tests that added 1 MB or more) and each file's verdict (over budget, killed) as Vitest test annotations: Vitest UI, VS Code, the `html`, `junit` and `verbose` reporters show them" },
  { key: "detectLeaks", flags: "`--detect-leaks`", env: "`VITEST_MEMORY_DETECT_LEAKS=1`", default: "`false`", meaning: "force a GC after every test and flag files whose retained heap keeps growing ([leaks](which-test.md#leak-detection---detect-leaks))" },
  { key: "heapProfile", flags: "`--heap-profile[=over-budget\\|peak\\|all]`", env: "`VITEST_MEMORY_HEAP_PROFILE`", default: "none", meaning: "run files under V8's sampling heap profiler: `'peak'` keeps what each file held at its highest memory (killed files too), `'over-budget'` re-runs the files over budget that way after the main run, `'all'` keeps what was live at exit ([profiles](which-test.md#heap-profiles-which-lines-held-the-memory-at-the-peak---heap-profile))" },
  { key: "html", flags: "`--memory-html [PATH]`", env: "`VITEST_MEMORY_HTML` (on, off or a path)", default: "off", meaning: "write the [HTML report](ci-reports.md#the-html-report) (`true` or no PATH: `.vitest-memory/report.html`; a PATH given after a space must end in `.html`, else write `--memory-html=PATH`)" },
  { key: "markdown", flags: "`--memory-markdown PATH`", env: "`VITEST_MEMORY_MARKDOWN`", default: "off", meaning: "write a Markdown summary (top files, over-budget and crashed files, totals)" },
  { key: "compareTo", flags: "`--compare-to BASE.json`", env: "`VITEST_MEMORY_COMPARE_TO`", default: "off", meaning: "compare this run with a saved report; a file that grew too much fails the run ([regression gate](ci-reports.md#regression-gate))" },
  { key: "failOnIncrease", flags: "`--fail-on-increase PERCENT`", env: "—", default: "`20%`", meaning: "growth that fails the comparison …" },
  { key: "minDelta", flags: "`--min-delta SIZE`", env: "—", default: "`20MB`", meaning: "… and only when the file grew by at least this much" },
  { key: "memoryLimit", flags: "`--memory-limit SIZE`", env: "`VITEST_MEMORY_LIMIT`", default: "none", meaning: "hard limit on a file's process tree RSS: over it the tree is killed and the file fails as `killed`" },
  { key: "limits", flags: "—", env: "—", default: "`{}`", meaning: "per-file hard limits by glob, relative to the root: `{ 'test/e2e/**': '4GB' }`" },
  { key: "journal", flags: "`--memory-journal PATH`, `--no-memory-journal`", env: "`VITEST_MEMORY_JOURNAL`", default: "`.vitest-memory/journal.jsonl`", meaning: "the flight recorder read by `vitest-memory why` (`false` keeps none)" },
  { key: "recycleAbove", flags: "`--recycle-above SIZE\\|auto`", env: "`VITEST_MEMORY_RECYCLE_ABOVE`", default: "none", meaning: "`isolate: false`: replace a shared process whose RSS after a file exceeds SIZE (a size, a %, or `auto`: half the machine's or container's memory split over the workers)" },
  { key: "retainedAbove", flags: "`--retained-above SIZE`", env: "—", default: "`50MB`", meaning: "`isolate: false`: name a file that leaves at least SIZE in its process after a forced GC" },
  { key: "sharedBudget", flags: "`--shared-budget added\\|absolute`", env: "—", default: "`'added'`", meaning: "`isolate: false`: a budget judges what the file added above what its process held at its start, or (`absolute`) its whole peak" },
  { key: "vm", flags: "—", env: "—", default: "`false`", meaning: "vm mode: each file in a fresh vm context of Vitest's own vm runtime (what `pool: 'vmForks'` runs), in processes that run files one after another, each file measured on its own; under the CLI `--pool vmForks` / `vmThreads` chooses it too ([vm mode](vm-mode.md))" },
]

/** The reference's options table, as docs/reference.md shows it. */
export function renderOptionsTable(options: readonly OptionDoc[] = OPTIONS): string {
  const escape = (cell: string) => cell.replace(/\n/g, ' ')
  return [
    '| `memoryPool({ … })` | flag | environment | default | meaning |',
    '| --- | --- | --- | --- | --- |',
    ...options.map(o => `| \`${o.key}\` | ${escape(o.flags)} | ${escape(o.env)} | ${escape(o.default)} | ${escape(o.meaning)} |`),
  ].join('\n')
}

/** The flags a row names (`--memory-budget SIZE`, `--no-memory-history` → the bare flags). */
export function flagsOf(option: OptionDoc): string[] {
  return [...option.flags.matchAll(/--[a-z][\w-]*/g)].map(m => m[0])
}

/** The environment variables a row names. */
export function envOf(option: OptionDoc): string[] {
  return [...option.env.matchAll(/VITEST_MEMORY_[A-Z_]+/g)].map(m => m[0])
}
