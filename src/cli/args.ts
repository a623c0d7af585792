// Splits the command line: the flags vitest-memory owns become options, everything else goes
// to Vitest unchanged. Each owned flag is one row of FLAGS; help text is generated from it.
import { shown, UsageError } from '../errors.js'
import { defaultShown, flagUsage, offFlag, OPTIONS, type FlagForm, type OptionRow } from '../option-table.js'
import type { OptionLayer } from '../options.js'

export interface CliOptions extends OptionLayer {
  help?: boolean
  /** A plan written by `vitest-memory plan`; `--shard i` then picks its shard. */
  shardPlan?: string
}

interface FlagSpec {
  flag: string
  /** Placeholder of the value, e.g. "SIZE"; absent for a switch. */
  value?: string
  /** The value may be left out: see FlagForm.optional. */
  optional?: FlagForm['optional']
  /** A removed option's flag: still read (and warned about), never suggested. */
  removed?: boolean
  apply: (options: CliOptions, value: string | undefined) => void
}

/** Every flag of the options table (each row's forms and its `--no-*` form), then the CLI's own. */
export const FLAGS: FlagSpec[] = [
  ...OPTIONS.flatMap(rowFlags),
  {
    flag: '--shard-plan',
    value: 'PLAN.json',
    apply: (o, v) => {
      o.shardPlan = v
    },
  },
]

function rowFlags(row: OptionRow): FlagSpec[] {
  const set = (options: CliOptions, value: unknown) => {
    const previous = options[row.key]
    if (row.exclusive && previous !== undefined && previous !== value) throw new UsageError(row.exclusive.flags)
    ;(options as Record<string, unknown>)[row.key] = value
  }
  const forms: FlagSpec[] = (row.flags ?? []).map(form => ({
    flag: form.name,
    value: form.value,
    optional: form.optional,
    removed: Boolean(row.removed),
    apply: (o, text) => set(o, text === undefined ? form.sets : row.fromText ? row.fromText(text, form.name) : text),
  }))
  const off = offFlag(row)
  return off ? [...forms, { flag: off, apply: o => set(o, row.off) }] : forms
}

/** The Vitest commands a word after an optional-value flag may be: never its value, never refused. */
const VITEST_COMMANDS = ['run', 'watch', 'dev', 'related', 'bench', 'list', 'init']

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
    if (spec.optional) {
      const next = argv[i + 1]
      // A next word is its value when it fits; any other word (not a flag, not a Vitest command)
      // is refused: it was surely meant as the value, and a test filter would swallow it silently.
      if (inlineValue === undefined && next !== undefined && !next.startsWith('-') && !VITEST_COMMANDS.includes(next)) {
        if (!spec.optional.fits(next)) {
          const { expects, example } = spec.optional
          throw new UsageError(
            `Invalid ${spec.flag} ${shown(next)}: a ${spec.value} after ${spec.flag} ${expects} (e.g. ${example}); a test filter goes before ${spec.flag}.`,
          )
        }
        i++
        spec.apply(options, next)
        continue
      }
      spec.apply(options, inlineValue)
      continue
    }
    if (!spec.value) {
      if (inlineValue !== undefined) throw new UsageError(`${spec.flag} takes no value: write just "${spec.flag}".`)
      spec.apply(options, undefined)
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
  return OUR_FLAGS.some(flag => editDistance(flag, name) <= 2)
}

/** Our flags as candidates for "did you mean". */
export const OUR_FLAGS = FLAGS.filter(f => !f.removed).map(f => f.flag)

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
  const bare = (flag: string) =>
    flag
      .replace(/^-+(no-)?/, '')
      .replace(/[-_]/g, '')
      .toLowerCase()
  const wanted = bare(typed.split('=')[0])
  if (wanted.length < 2) return null
  let best: { flag: string; score: number } | null = null
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

/** A meaning as plain text for the terminal: no backticks, a link as its words. */
function plain(markdown: string): string {
  return markdown.replace(/\[([^\]]+)\]\([^)]+\)/g, '$1').replace(/`/g, '')
}

/** One option of the table as --help shows it: its flags on one line, what it does, its default and variable below. */
function helpRow(row: OptionRow): string[] {
  const flags = [...(row.flags ?? []).map(flagUsage), ...(offFlag(row) ? [offFlag(row)!] : [])].join(', ')
  const fallback = defaultShown(row, false)
  const facts = [fallback !== null ? `default: ${fallback}` : null, row.env ? `env ${row.env.join(', ')}` : null].filter(Boolean)
  return [`  ${flags}`, ...wrap(`${plain(row.meaning)}${facts.length ? ` [${facts.join('; ')}]` : ''}`, HELP_WIDTH - 6).map(line => `      ${line}`)]
}

/** Help lines fit a 100-column terminal (the description column starts at 6). */
const HELP_WIDTH = 100

function wrap(text: string, width: number): string[] {
  const lines: string[] = []
  let line = ''
  for (const word of text.split(' ')) {
    if (line && line.length + 1 + word.length > width) {
      lines.push(line)
      line = word
    } else {
      line = line ? `${line} ${word}` : word
    }
  }
  return [...lines, line]
}

export function helpText(): string {
  const live = OPTIONS.filter(row => !row.removed)
  return [
    'Usage: vitest-memory [vitest args…] [memory options]',
    '       vitest-memory tag --above SIZE [--write] [--remove-below SIZE]   (see vitest-memory tag --help)',
    '',
    "Runs Vitest with every test file in its own process and reports each file's exact peak memory.",
    '',
    'Memory options:',
    ...live.filter(row => row.flags).flatMap(helpRow),
    '  --shard-plan PLAN.json',
    '      run the files of shard --shard i of a plan written by `vitest-memory plan`',
    '  -h, --help',
    '      show this help',
    '  -v, --version',
    "      show vitest-memory's version and the Vitest it runs",
    '',
    `Only in memoryPool({ … }): ${live
      .filter(row => !row.flags)
      .map(row => row.key)
      .join(', ')} (docs/reference.md).`,
    'A --no-* form turns an option off for this run, whatever the config or the environment says.',
    'Flags win over env, env over config. Every other argument goes to Vitest unchanged: filters, run/watch, --project, --shard, --reporter, -t, --config …',
    "A flag neither vitest-memory nor Vitest knows is refused (exit 2). See `vitest --help` for Vitest's.",
    '',
    'Exit codes: 0 all good · 1 test failures, a crashed or killed file, a file over budget, a regression, or an output asked for that could not be written · 2 bad usage or input.',
  ].join('\n')
}
