// Every memoryPool() option, declared once: its key, its flags (with the `--no-*` form of an option
// that can be off), its environment variable, its default, the check of its value and its one-line
// meaning. The CLI's flags (cli/args.ts), the environment reader and the labels in messages
// (options.ts), `--help` and docs/reference.md (`npm run docs`) are all derived from this table.
import type { MemoryPoolOptions } from './option-types.js'
import {
  booleanValue,
  choiceValue,
  globListValue,
  globSizesValue,
  htmlValue,
  looksLikeHtmlPath,
  maxMemoryValue,
  millisecondsValue,
  optionalSize,
  parseIncrease,
  pathValue,
  recycleValue,
  sizeValue,
  spareProcessesText,
  spareProcessesValue,
} from './option-values.js'

export const DEFAULT_REPORT_PATH = '.vitest-memory/report.json'
export const DEFAULT_HISTORY_PATH = '.vitest-memory/history.json'
export const DEFAULT_HTML_PATH = '.vitest-memory/report.html'
export const DEFAULT_JOURNAL_PATH = '.vitest-memory/journal.jsonl'
export const DEFAULT_FAIL_ON_INCREASE = '20%'
export const DEFAULT_MIN_DELTA = '20MB'
/**
 * Vitest's own pool runner gives a worker 60 s to answer "started" (START_TIMEOUT in its pool
 * runner); the memory pool answers Vitest at once and holds its child to the same bound.
 */
export const DEFAULT_START_TIMEOUT_MS = 60_000

export type OptionKey = keyof MemoryPoolOptions

/** One way to write an option on the command line. */
export interface FlagForm {
  name: string
  /** Placeholder of its value (`SIZE`); absent: a switch, which sets `sets`. */
  value?: string
  /**
   * The value may be left out (the flag then sets `sets`): it is written `--flag=VALUE`, or as the
   * next word when that fits (`fits`); any other next word is refused, never taken as a test filter.
   */
  optional?: { fits: (next: string) => boolean; expects: string; example: string }
  sets?: unknown
}

export interface OptionRow {
  key: OptionKey
  flags?: FlagForm[]
  /** What `--no-<flag>` and an off-word in the variable (0, false, no, off) set; absent: it cannot be off. */
  off?: unknown
  /** Its VITEST_MEMORY_* variables (two for the fast/heavy lane). */
  env?: string[]
  /** A valid value of the variable or flag, as text (the reference test feeds it to the real readers). */
  example?: string
  /** The value when the config, the environment and the flags leave it unset. */
  default?: unknown
  /** Shown instead of the default when it is not a value ("the file's budget"). */
  defaultText?: string
  /** One line: `--help` and the reference show it. */
  meaning: string
  /** What only the reference adds (links, details). */
  more?: string
  /** A flag's or a variable's text → the value (the same as the config's); absent: the text itself. */
  fromText?: (text: string, label: string) => unknown
  /** Checks the value (the default when unset) and returns it resolved; `label` names where it came from. */
  check: (value: unknown, label: string) => unknown
  /** Its value is a path: an on/off word in its variable is refused rather than taken as a file name. */
  path?: { offRefused?: string }
  /** A knob that became a constant: still accepted (its value ignored) with this one-line warning. */
  removed?: string
  /** The flags (or variables) of this row that set different values exclude each other: these lines say so. */
  exclusive?: { flags: string; env: string }
}

const sizeRow = (key: OptionKey, flag: string, env: string | null, meaning: string, extra: Partial<OptionRow> = {}): OptionRow => ({
  key,
  flags: [{ name: flag, value: 'SIZE' }],
  off: null,
  ...(env ? { env: [env] } : {}),
  example: '1GB',
  defaultText: 'none',
  meaning,
  check: optionalSize,
  ...extra,
})

const HEAP_MODES = ['peak', 'over-budget', 'all'] as const

export const OPTIONS: OptionRow[] = [
  sizeRow(
    'budget',
    '--memory-budget',
    'VITEST_MEMORY_BUDGET',
    'peak a file may reach (e.g. `512MB`, `1.5GB`, `800MiB`, `25%`); over it the file is flagged and the run exits 1',
  ),
  {
    key: 'budgetMode',
    flags: [{ name: '--memory-budget-warn', sets: 'warn' }],
    off: 'fail',
    env: ['VITEST_MEMORY_BUDGET_MODE'],
    example: 'warn',
    default: 'fail',
    meaning: "`'warn'` (`--memory-budget-warn`) reports over-budget files without failing the run",
    check: choiceValue(['fail', 'warn']),
  },
  {
    key: 'budgets',
    default: {},
    meaning: "per-file budgets by glob, relative to the root: `{ 'test/e2e/**': '2GB' }`",
    check: globSizesValue('2GB', 'budget'),
  },
  {
    key: 'report',
    flags: [{ name: '--memory-report', value: 'PATH' }],
    env: ['VITEST_MEMORY_REPORT'],
    example: 'out/report.json',
    default: DEFAULT_REPORT_PATH,
    path: { offRefused: 'the JSON report cannot be turned off' },
    meaning: 'where the JSON report goes (it cannot be turned off)',
    check: pathValue(`use a path (a string), e.g. "${DEFAULT_REPORT_PATH}"`, false),
  },
  {
    key: 'history',
    flags: [{ name: '--memory-history', value: 'PATH' }],
    off: false,
    env: ['VITEST_MEMORY_HISTORY'],
    example: 'out/history.json',
    path: {},
    default: DEFAULT_HISTORY_PATH,
    meaning: 'per file, the last 5 measured peaks, durations and dates; merged after every run (off: keeps none)',
    check: pathValue('use a path (a string) or false', true),
  },
  {
    key: 'maxMemory',
    flags: [{ name: '--max-memory', value: 'SIZE|auto' }],
    off: null,
    env: ['VITEST_MEMORY_MAX_MEMORY'],
    example: 'auto',
    defaultText: 'none',
    meaning:
      'start a file only when its predicted peak fits beside the running files under SIZE; `auto` (any ' +
      "case): 80% of the container's memory limit, else of total memory",
    more: ' ([memory-aware parallelism](parallelism-and-shards.md#memory-aware-parallelism---max-memory))',
    check: maxMemoryValue,
  },
  {
    key: 'spareProcesses',
    flags: [{ name: '--spare-processes', value: 'N|auto' }],
    off: 0,
    env: ['VITEST_MEMORY_SPARE_PROCESSES'],
    example: '2',
    default: 'auto',
    meaning:
      "test processes kept booted ahead of time (loading a jsdom/happy-dom/edge-runtime file's library), " +
      'so a file starts on a ready process; `auto` boots them only on cores no file runs on, within free ' +
      'memory and `--max-memory`; `0` turns it off',
    fromText: spareProcessesText,
    check: spareProcessesValue,
  },
  {
    key: 'memoryIntensive',
    default: [],
    meaning: "globs, relative to the root, whose files are tagged `memory_intensive`: `['test/e2e/**']`",
    check: globListValue,
  },
  sizeRow(
    'memoryIntensiveAbove',
    '--memory-intensive-above',
    'VITEST_MEMORY_INTENSIVE_ABOVE',
    'a file whose last peak in the history exceeded SIZE is tagged `memory_intensive` (no budget and no SIZE: the history tags nothing)',
    { defaultText: "the file's budget" },
  ),
  {
    key: 'memoryIntensiveMode',
    flags: [
      { name: '--skip-memory-intensive', sets: 'skip' },
      { name: '--only-memory-intensive', sets: 'only' },
    ],
    env: ['VITEST_MEMORY_SKIP_INTENSIVE', 'VITEST_MEMORY_ONLY_INTENSIVE'],
    example: '1',
    default: 'run',
    meaning:
      "`'skip'` (`--skip-memory-intensive`): never start tagged files (fast lane); `'only'` " + '(`--only-memory-intensive`): start nothing else (heavy lane)',
    more: ' — see [A fast lane for CI](fast-lane.md#a-fast-lane-for-ci)',
    check: choiceValue(['run', 'skip', 'only']),
    exclusive: {
      flags: '--skip-memory-intensive and --only-memory-intensive exclude each other: give one (the fast lane or the heavy lane).',
      env: 'VITEST_MEMORY_SKIP_INTENSIVE and VITEST_MEMORY_ONLY_INTENSIVE are both set: set one (skip the heavy files, or run only them).',
    },
  },
  {
    key: 'startTimeout',
    default: DEFAULT_START_TIMEOUT_MS,
    meaning:
      'a test process that has not finished starting after this many milliseconds is killed and its file ' +
      "fails, naming what it was doing (Vitest's own start timeout is 60 s too)",
    check: millisecondsValue(100, 3_600_000, ` (default ${DEFAULT_START_TIMEOUT_MS})`),
  },
  {
    key: 'annotations',
    flags: [{ name: '--memory-annotations', sets: true }],
    off: false,
    env: ['VITEST_MEMORY_ANNOTATIONS'],
    example: '0',
    default: true,
    meaning:
      "attach each test's memory (tests that added 1 MB or more) and each file's verdict (over budget, " +
      'killed) as Vitest test annotations: Vitest UI, VS Code, the `html`, `junit` and `verbose` reporters ' +
      'show them',
    check: booleanValue,
  },
  {
    key: 'detectLeaks',
    flags: [{ name: '--detect-leaks', sets: true }],
    off: false,
    env: ['VITEST_MEMORY_DETECT_LEAKS'],
    example: '1',
    default: false,
    meaning: 'force a GC after every test and flag files whose retained heap keeps growing',
    more: ' ([leaks](which-test.md#leak-detection---detect-leaks))',
    check: booleanValue,
  },
  {
    key: 'heapProfile',
    flags: [
      {
        name: '--heap-profile',
        value: 'MODE',
        sets: 'over-budget',
        optional: { fits: next => (HEAP_MODES as readonly string[]).includes(next), expects: 'is peak, over-budget or all', example: '--heap-profile=peak' },
      },
    ],
    off: null,
    env: ['VITEST_MEMORY_HEAP_PROFILE'],
    example: 'peak',
    defaultText: 'none',
    meaning:
      "run files under V8's sampling heap profiler: `'peak'` keeps what each file held at its highest " +
      "memory (killed files too), `'over-budget'` (the flag alone) re-runs the files over budget that way " +
      "after the main run, `'all'` keeps what was live at exit",
    more: ' ([profiles](which-test.md#heap-profiles-which-lines-held-the-memory-at-the-peak---heap-profile))',
    check: (value, label) => (value == null ? null : choiceValue(HEAP_MODES)(value, label)),
  },
  {
    key: 'html',
    flags: [
      {
        name: '--memory-html',
        value: 'PATH',
        sets: true,
        optional: { fits: looksLikeHtmlPath, expects: 'ends in .html', example: '--memory-html=reports/memory.html' },
      },
    ],
    off: false,
    env: ['VITEST_MEMORY_HTML'],
    example: 'out/page.html',
    default: false,
    meaning: `write the HTML report: \`true\` (or the flag alone) writes \`${DEFAULT_HTML_PATH}\`; a PATH must end in \`.html\``,
    more: ' ([HTML report](ci-reports.md#the-html-report))',
    check: htmlValue,
  },
  {
    key: 'markdown',
    flags: [{ name: '--memory-markdown', value: 'PATH' }],
    off: null,
    env: ['VITEST_MEMORY_MARKDOWN'],
    example: 'memory.md',
    path: {},
    defaultText: 'off',
    meaning: 'write a Markdown summary (top files, over-budget and crashed files, totals)',
    check: pathValue('use a path (a string), e.g. "memory.md"', false),
  },
  {
    key: 'compareTo',
    flags: [{ name: '--compare-to', value: 'BASE.json' }],
    off: null,
    env: ['VITEST_MEMORY_COMPARE_TO'],
    example: 'base/report.json',
    path: {},
    defaultText: 'off',
    meaning: 'compare this run with a saved report; a file that grew too much fails the run',
    more: ' ([regression gate](ci-reports.md#regression-gate))',
    check: pathValue('use the path of a saved report.json (a string)', false),
  },
  {
    key: 'failOnIncrease',
    flags: [{ name: '--fail-on-increase', value: 'PERCENT' }],
    example: '30%',
    default: DEFAULT_FAIL_ON_INCREASE,
    meaning: 'growth that fails the comparison …',
    check: parseIncrease,
  },
  {
    key: 'minDelta',
    flags: [{ name: '--min-delta', value: 'SIZE' }],
    example: '50MB',
    default: DEFAULT_MIN_DELTA,
    meaning: '… and only when the file grew by at least this much',
    check: sizeValue,
  },
  sizeRow(
    'memoryLimit',
    '--memory-limit',
    'VITEST_MEMORY_LIMIT',
    "hard limit on a file's process tree RSS: over it the tree is killed and the file fails as `killed`",
  ),
  {
    key: 'limits',
    default: {},
    meaning: "per-file hard limits by glob, relative to the root: `{ 'test/e2e/**': '4GB' }`",
    check: globSizesValue('4GB', 'limit'),
  },
  {
    key: 'journal',
    flags: [{ name: '--memory-journal', value: 'PATH' }],
    off: false,
    env: ['VITEST_MEMORY_JOURNAL'],
    example: 'out/journal.jsonl',
    path: {},
    default: DEFAULT_JOURNAL_PATH,
    meaning: 'the flight recorder read by `vitest-memory why` (off: keeps none)',
    check: pathValue('use a path (a string) or false', true),
  },
  {
    key: 'recycleAbove',
    flags: [{ name: '--recycle-above', value: 'SIZE|auto' }],
    off: null,
    env: ['VITEST_MEMORY_RECYCLE_ABOVE'],
    example: 'auto',
    defaultText: 'none',
    meaning:
      '`isolate: false`: replace a shared process whose RSS after a file exceeds SIZE (a size, a %, or ' +
      "`auto`: half the machine's or container's memory split over the workers)",
    check: recycleValue,
  },
  {
    key: 'sharedBudget',
    flags: [{ name: '--shared-budget', value: 'added|absolute' }],
    example: 'absolute',
    default: 'added',
    meaning: '`isolate: false`: a budget judges what the file added above what its process held at its start, or ' + '(`absolute`) its whole peak',
    check: choiceValue(['added', 'absolute']),
  },
  {
    key: 'vm',
    default: false,
    meaning:
      "vm mode: each file in a fresh vm context of Vitest's own vm runtime (what `pool: 'vmForks'` runs), " +
      'in processes that run files one after another, each file measured on its own; under the CLI ' +
      '`--pool vmForks` or `vmThreads` chooses it too',
    more: ' ([vm mode](vm-mode.md))',
    check: booleanValue,
  },
  // Knobs that became constants (see options.ts for the value each now has and why).
  {
    key: 'top',
    meaning: 'the terminal table lists the 10 heaviest files, and always every file over budget, crashed or ' + 'killed; the JSON and HTML reports list all',
    check: () => undefined,
    removed:
      'memoryPool({ top }) is no longer an option and is ignored: the table lists the 10 heaviest files and ' +
      'every file over budget, crashed or killed; the JSON and HTML reports list all.',
  },
  {
    key: 'sampleIntervalMs',
    meaning: 'the process tree is sampled every 50 ms (every 10 ms while a file has a hard limit); the root ' + "process's peak is exact either way",
    check: () => undefined,
    removed:
      'memoryPool({ sampleIntervalMs }) is no longer an option and is ignored: the process tree is sampled ' +
      "every 50 ms (10 ms near a hard limit); the root process's peak is exact either way.",
  },
  {
    key: 'retainedAbove',
    flags: [{ name: '--retained-above', value: 'SIZE' }],
    meaning: '`isolate: false` names a file that leaves 50 MB or more in its process after a forced GC',
    check: () => undefined,
    removed:
      'retainedAbove (--retained-above) is no longer an option and is ignored: with isolate: false a file ' +
      'is named when it leaves 50 MB or more in its process after a forced GC.',
  },
]

/** The row of a key. */
export function optionRow(key: OptionKey): OptionRow {
  const row = OPTIONS.find(o => o.key === key)
  if (!row) throw new Error(`no options-table row for ${key}`)
  return row
}

/** `--no-<flag>`: the off form of an option that can be off. */
export function offFlag(row: OptionRow): string | null {
  const first = row.flags?.[0]
  return first && row.off !== undefined && !row.removed ? `--no-${first.name.slice(2)}` : null
}

/** Every flag a row is written with, its `--no-*` form included. */
export function flagsOf(row: OptionRow): string[] {
  const off = offFlag(row)
  return [...(row.flags ?? []).map(f => f.name), ...(off ? [off] : [])]
}

/** A flag as usage shows it: `--memory-budget SIZE`, `--heap-profile[=MODE]`. */
export function flagUsage(flag: FlagForm): string {
  if (flag.optional) return `${flag.name}[=${flag.value}]`
  return flag.value ? `${flag.name} ${flag.value}` : flag.name
}

/** The default as a memoryPool() value (`'auto'`, `true`, `{}`), or the row's words for it. */
export function defaultShown(row: OptionRow, quote = true): string | null {
  if (row.default === undefined) return row.defaultText ?? null
  if (typeof row.default === 'string') return quote ? `'${row.default}'` : row.default
  return JSON.stringify(row.default)
}
