// The subcommands of vitest-memory; anything else on the command line is a Vitest run.
import { DEFAULT_FAIL_ON_INCREASE, DEFAULT_HISTORY_PATH, DEFAULT_JOURNAL_PATH, DEFAULT_MIN_DELTA } from '../option-table.js'
import { compareCommand, COMPARE_FLAGS, COMPARE_USAGE } from './compare-command.js'
import { htmlCommand, HTML_FLAGS, HTML_USAGE } from './html-command.js'
import { planCommand, PLAN_FLAGS, PLAN_USAGE } from './plan-command.js'
import { TAG_FLAGS, TAG_HELP, TAG_USAGE, tagCommand } from './tag.js'
import { runWhy } from './why.js'

export interface Subcommand {
  usage: string
  description: string
  /** The flags it takes (plan also passes Vitest's --config, --project and filters on). */
  flags: string[]
  /** What `vitest-memory <command> --help` prints. */
  help: string
  /** Resolves to the exit code. */
  run: (argv: string[]) => Promise<number>
}

function help(usage: string, description: string, rows: [string, string][], footer: string[] = []): string {
  const width = Math.max(0, ...rows.map(([flag]) => flag.length))
  return [
    `Usage: ${usage}`,
    '',
    `${description[0].toUpperCase()}${description.slice(1)}.`,
    '',
    ...rows.map(([flag, text]) => `  ${flag.padEnd(width)}  ${text}`),
    ...footer,
  ].join('\n')
}

const WHY = 'explain a journal: what was running when the run ended or died, and how big it was'
const HTML = 'render a saved report.json as the self-contained HTML report'
const COMPARE = 'compare two reports; exit 1 when a file grew beyond both thresholds'
const PLAN = 'split the test files into N shards balanced by measured duration and peak (JSON, usable as a CI matrix)'

export const SUBCOMMANDS: Record<string, Subcommand> = {
  why: {
    usage: 'vitest-memory why [JOURNAL]',
    description: WHY,
    flags: [],
    help: help('vitest-memory why [JOURNAL]', WHY, [['JOURNAL', `the journal to read (default ${DEFAULT_JOURNAL_PATH}, or VITEST_MEMORY_JOURNAL)`]]),
    run: async argv => {
      runWhy(argv)
      return 0
    },
  },
  tag: {
    usage: TAG_USAGE,
    description: 'tag (or untag) memory_intensive files from their measured history',
    flags: TAG_FLAGS,
    help: TAG_HELP,
    run: async argv => {
      console.log((await tagCommand(argv)).join('\n'))
      return 0
    },
  },
  html: {
    usage: HTML_USAGE,
    description: HTML,
    flags: Object.keys(HTML_FLAGS),
    help: help(HTML_USAGE, HTML, [['-o, --output OUT.html', "where to write the page (default: the report's path with .html)"]]),
    run: htmlCommand,
  },
  compare: {
    usage: COMPARE_USAGE,
    description: COMPARE,
    flags: Object.keys(COMPARE_FLAGS),
    help: help(
      COMPARE_USAGE,
      COMPARE,
      [
        ['--fail-on-increase PERCENT', `growth that fails the comparison (default ${DEFAULT_FAIL_ON_INCREASE})`],
        ['--min-delta SIZE', `…and only when the file grew by at least SIZE (default ${DEFAULT_MIN_DELTA})`],
        ['--markdown PATH', 'also write the comparison as Markdown (or --memory-markdown PATH)'],
      ],
      ['', 'Exit codes: 0 no file grew beyond both thresholds · 1 one did · 2 bad usage or an unreadable report.'],
    ),
    run: compareCommand,
  },
  plan: {
    usage: PLAN_USAGE,
    description: PLAN,
    flags: Object.keys(PLAN_FLAGS),
    help: help(
      PLAN_USAGE,
      PLAN,
      [
        ['--shards N', 'how many shards, 1 to 256'],
        ['--memory SIZE|auto', "the CI job's memory: each shard's maxWorkers and --max-memory that keep it under SIZE (auto: this machine's or container's)"],
        ['--target-duration D', 'with --memory: the fewest shards whose predicted duration is at most D ("10m", "90s")'],
        ['--memory-history PATH', `the history that weighs the files (default ${DEFAULT_HISTORY_PATH})`],
        [
          '-o, --output PLAN.json',
          'write the plan to PLAN.json instead of printing it, with one line on stdout (run a shard with --shard-plan PLAN.json --shard i)',
        ],
      ],
      ['', 'Every other argument goes to Vitest to list the files: filters, --config, --project …'],
    ),
    run: planCommand,
  },
}

/** Runs a subcommand; `--help` or `-h` (before any `--`) prints its help instead, exit 0. */
export async function runSubcommand(command: Subcommand, argv: string[]): Promise<number> {
  const own = argv.includes('--') ? argv.slice(0, argv.indexOf('--')) : argv
  if (own.includes('--help') || own.includes('-h')) {
    console.log(command.help)
    return 0
  }
  return command.run(argv)
}

export function commandsHelp(): string {
  return [
    'Commands:',
    ...Object.values(SUBCOMMANDS).flatMap(c => [`  ${c.usage}`, `      ${c.description}`]),
    '',
    'Each command takes --help.',
    "vitest-memory --version (or -v) prints this package's version and the Vitest it runs with, and starts nothing.",
  ].join('\n')
}
