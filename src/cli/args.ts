// Splits the command line: the flags vitest-memory owns become options, everything else goes
// to Vitest unchanged. Each owned flag is one row of FLAGS; help text is generated from it.
import { UsageError } from '../errors.js'
import { environmentVariables, spareProcessesValue, type MemoryPoolOptions } from '../options.js'

export interface CliOptions extends MemoryPoolOptions {
  help?: boolean
  /** A plan written by `vitest-memory plan`; `--shard i` then picks its shard. */
  shardPlan?: string
}

interface FlagSpec {
  flag: string
  /** Placeholder of the value, e.g. "SIZE"; absent for a boolean flag. */
  value?: string
  /** The value may be left out: the next argument is taken only when it matches (a RegExp, or one of `choices`); otherwise write --flag=VALUE. */
  optionalValue?: boolean | RegExp
  choices?: string[]
  description: string
  apply: (options: CliOptions, value: string) => void
}

export const FLAGS: FlagSpec[] = [
  { flag: '--memory-budget', value: 'SIZE', description: 'fail the run when a file\'s peak RSS exceeds SIZE (e.g. 512MB, 1.5GB, 800MiB, 25%)', apply: (o, v) => { o.budget = v } },
  { flag: '--memory-budget-warn', description: 'report files over budget without failing the run', apply: (o) => { o.budgetMode = 'warn' } },
  { flag: '--memory-report', value: 'PATH', description: 'where to write the JSON report (default .vitest-memory/report.json)', apply: (o, v) => { o.report = v } },
  { flag: '--memory-history', value: 'PATH', description: 'the measured history merged after each run (default .vitest-memory/history.json)', apply: (o, v) => { o.history = v } },
  { flag: '--max-memory', value: 'SIZE|auto', description: 'start a file only when its predicted peak fits beside the running ones under SIZE (auto: 80% of the container\'s limit or total memory)', apply: (o, v) => { o.maxMemory = v } },
  { flag: '--spare-processes', value: 'N|auto', description: 'test processes kept booted ahead of time, loading the files\' test environment (default 1; auto: as many as free cores and memory allow, within --max-memory; 0 turns it off)', apply: (o, v) => { o.spareProcesses = spareProcessesValue(v, '--spare-processes') } },
  { flag: '--no-memory-history', description: 'keep no history for this run', apply: (o) => { o.history = false } },
  { flag: '--memory-intensive-above', value: 'SIZE', description: 'tag memory_intensive every file whose last measured peak in the history exceeded SIZE (default: its budget)', apply: (o, v) => { o.memoryIntensiveAbove = v } },
  { flag: '--skip-memory-intensive', description: 'fast lane: never start files tagged memory_intensive (they are reported as skipped)', apply: (o) => { o.memoryIntensiveMode = lane(o, 'skip') } },
  { flag: '--only-memory-intensive', description: 'heavy lane: start only the files tagged memory_intensive', apply: (o) => { o.memoryIntensiveMode = lane(o, 'only') } },
  { flag: '--detect-leaks', description: 'force a GC after each test and flag files whose retained heap keeps growing', apply: (o) => { o.detectLeaks = true } },
  { flag: '--heap-profile', value: 'MODE', optionalValue: true, choices: ['over-budget', 'all', 'peak'], description: 'heap-profile files over budget (re-run after the main run); =peak: what each file held at its highest memory, killed files too; =all: what each process still held at exit', apply: (o, v) => { o.heapProfile = (v || 'over-budget') as never } },
  { flag: '--memory-html', value: '[PATH]', optionalValue: /\.html?$/i, description: 'write the self-contained HTML report (default .vitest-memory/report.html; a PATH must end in .html)', apply: (o, v) => { o.html = v || true } },
  { flag: '--memory-markdown', value: 'PATH', description: 'write a Markdown summary of the run to PATH', apply: (o, v) => { o.markdown = v } },
  { flag: '--compare-to', value: 'BASE.json', description: 'compare with a saved report; a file that grew too much fails the run', apply: (o, v) => { o.compareTo = v } },
  { flag: '--fail-on-increase', value: 'PERCENT', description: 'growth that fails the comparison (default 20%)', apply: (o, v) => { o.failOnIncrease = v } },
  { flag: '--min-delta', value: 'SIZE', description: '...and only when the file grew by at least SIZE (default 20MB)', apply: (o, v) => { o.minDelta = v } },
  { flag: '--shard-plan', value: 'PLAN.json', description: 'run the files of shard --shard i of a plan written by `vitest-memory plan`', apply: (o, v) => { o.shardPlan = v } },
  { flag: '--memory-limit', value: 'SIZE', description: 'kill a file\'s process tree when its RSS exceeds SIZE; the file fails as "killed"', apply: (o, v) => { o.memoryLimit = v } },
  { flag: '--memory-journal', value: 'PATH', description: 'the flight recorder, readable by `vitest-memory why` (default .vitest-memory/journal.jsonl)', apply: (o, v) => { o.journal = v } },
  { flag: '--no-memory-journal', description: 'keep no journal for this run', apply: (o) => { o.journal = false } },
  { flag: '--recycle-above', value: 'SIZE|auto', description: 'isolate: false: replace a shared test process whose RSS after a file exceeds SIZE (e.g. 1GB, 25%; auto: half the memory split over the workers)', apply: (o, v) => { o.recycleAbove = v } },
  { flag: '--retained-above', value: 'SIZE', description: 'isolate: false: name files that leave at least SIZE in their process after a GC (default 50MB)', apply: (o, v) => { o.retainedAbove = v } },
  { flag: '--shared-budget', value: 'MODE', choices: ['added', 'absolute'], description: 'isolate: false: budgets judge what a file added above its process\'s start (added, default) or its whole peak (absolute)', apply: (o, v) => { o.sharedBudget = v as never } },
]

function lane(options: CliOptions, mode: 'skip' | 'only'): 'skip' | 'only' {
  if (options.memoryIntensiveMode && options.memoryIntensiveMode !== mode) {
    throw new UsageError('--skip-memory-intensive and --only-memory-intensive exclude each other: give one (the fast lane or the heavy lane).')
  }
  return mode
}

export interface SplitArgs {
  options: CliOptions
  vitestArgs: string[]
}

export function splitArgs(argv: string[]): SplitArgs {
  const options: CliOptions = {}
  const vitestArgs: string[] = []
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]
    if (arg === '--') {
      vitestArgs.push(...argv.slice(i))
      break
    }
    if (arg === '--help' || arg === '-h') {
      options.help = true
      continue
    }
    const [name, inlineValue] = splitInline(arg)
    const spec = FLAGS.find(f => f.flag === name)
    if (!spec) {
      if (looksLikeOurs(name)) throw new UsageError(unknownFlagMessage(name))
      vitestArgs.push(arg)
      continue
    }
    if (spec.optionalValue) {
      const next = argv[i + 1]
      const takesNext = inlineValue === undefined && next !== undefined
        && (spec.choices?.includes(next) || (spec.optionalValue instanceof RegExp && spec.optionalValue.test(next)))
      if (takesNext) i++
      spec.apply(options, inlineValue ?? (takesNext ? next : ''))
      continue
    }
    if (!spec.value) {
      if (inlineValue !== undefined) throw new UsageError(`${spec.flag} takes no value: write just "${spec.flag}".`)
      spec.apply(options, '')
      continue
    }
    const value = inlineValue ?? argv[i + 1]
    if (value === undefined || (inlineValue === undefined && value.startsWith('-') && !/^-\d/.test(value))) {
      throw new UsageError(`${spec.flag} needs a value: write "${spec.flag} ${spec.value}".`)
    }
    if (inlineValue === undefined) i++
    spec.apply(options, value)
  }
  return { options, vitestArgs }
}

function splitInline(arg: string): [string, string | undefined] {
  if (!arg.startsWith('--')) return [arg, undefined]
  const eq = arg.indexOf('=')
  return eq === -1 ? [arg, undefined] : [arg.slice(0, eq), arg.slice(eq + 1)]
}

/** A flag is ours when it starts with --memory or is one typo away from one of our flags. */
function looksLikeOurs(name: string): boolean {
  if (!name.startsWith('--')) return false
  if (name.startsWith('--memory') || name.startsWith('--no-memory')) return true
  return FLAGS.some(f => editDistance(f.flag, name) <= 2)
}

/** Our flags as candidates for "did you mean". */
export const OUR_FLAGS = FLAGS.map(f => f.flag)

/** The one line for a flag nobody knows, with the closest known flag when one is close. */
export function unknownFlagMessage(name: string, candidates: readonly string[] = OUR_FLAGS): string {
  // A --memory-* name is surely one of ours: name the nearest even when it is not that near.
  const nearest = looksLikeOurs(name) ? [...OUR_FLAGS].sort((a, b) => editDistance(a, name) - editDistance(b, name))[0] : null
  const closest = suggestFlag(name, candidates) ?? nearest
  return closest
    ? `Unknown option ${name}: did you mean ${closest}? (run vitest-memory --help for the list)`
    : `Unknown option ${name}: it is not a vitest-memory option (vitest-memory --help) nor a Vitest one (vitest --help).`
}

/**
 * The known flag a typed one most likely meant, or null. Spelling is compared without dashes and
 * case (--max-workers is --maxWorkers); a typed name inside a flag (--budget in --memory-budget)
 * counts as close, and otherwise a few typos, more for longer names.
 */
export function suggestFlag(typed: string, candidates: readonly string[]): string | null {
  const bare = (flag: string) => flag.replace(/^-+(no-)?/, '').replace(/[-_]/g, '').toLowerCase()
  const wanted = bare(typed.split('=')[0])
  if (wanted.length < 2) return null
  let best: { flag: string, score: number } | null = null
  for (const flag of candidates) {
    const known = bare(flag)
    const distance = editDistance(wanted, known)
    const contained = (wanted.length >= MIN_CONTAINED && known.includes(wanted)) || (known.length >= MIN_CONTAINED && wanted.includes(known))
    if (!contained && distance > Math.max(2, Math.floor(known.length / 4))) continue
    // A containment ranks before any typo; among equals, the fewer edits win.
    const score = (contained ? 0 : 1000) + distance
    if (!best || score < best.score) best = { flag, score }
  }
  return best?.flag ?? null
}

/** A name this long found inside another is a likely slip ("budget" in "memory-budget"); shorter ones match too much. */
const MIN_CONTAINED = 4

function editDistance(a: string, b: string): number {
  const row = Array.from({ length: b.length + 1 }, (_, i) => i)
  for (let i = 1; i <= a.length; i++) {
    let previous = row[0]
    row[0] = i
    for (let j = 1; j <= b.length; j++) {
      const current = row[j]
      row[j] = Math.min(row[j] + 1, row[j - 1] + 1, previous + (a[i - 1] === b[j - 1] ? 0 : 1))
      previous = current
    }
  }
  return row[b.length]
}

export function helpText(): string {
  const usage = (f: FlagSpec) => `${f.flag}${f.optionalValue ? `[=${f.value}]` : f.value ? ` ${f.value}` : ''}`
  const width = Math.max(...FLAGS.map(f => usage(f).length))
  const rows = FLAGS.map(f => `  ${usage(f).padEnd(width)}  ${f.description}`)
  return [
    'Usage: vitest-memory [vitest args…] [memory options]',
    '       vitest-memory tag --above SIZE [--write] [--remove-below SIZE]   (see vitest-memory tag --help)',
    '',
    'Runs Vitest with every test file in its own process and reports each file\'s exact peak memory.',
    '',
    'Memory options:',
    ...rows,
    `  ${'-h, --help'.padEnd(width)}  show this help`,
    '',
    `Environment: ${environmentVariables().join(', ')} (flags win over env, env over config).`,
    'Every other argument goes to Vitest unchanged: filters, run/watch, --project, --shard, --reporter, -t, --config …',
    'A flag neither vitest-memory nor Vitest knows is refused (exit 2).',
    'See `vitest --help` for those.',
    '',
    'Exit codes: 0 all good · 1 test failures, a crashed or killed file, a file over budget, a regression, or an output asked for that could not be written · 2 bad usage or input.',
  ].join('\n')
}
