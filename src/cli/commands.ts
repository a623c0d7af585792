// The subcommands of vitest-memory; anything else on the command line is a Vitest run.
import { compareCommand, COMPARE_FLAGS, COMPARE_USAGE } from './compare-command.js'
import { htmlCommand, HTML_FLAGS, HTML_USAGE } from './html-command.js'
import { planCommand, PLAN_FLAGS, PLAN_USAGE } from './plan-command.js'
import { tagCommand, TAG_FLAGS, TAG_USAGE } from './tag.js'
import { runWhy } from './why.js'

export interface Subcommand {
  usage: string
  description: string
  /** The flags it takes (plan also passes Vitest's --config, --project and filters on). */
  flags: string[]
  /** Resolves to the exit code. */
  run: (argv: string[]) => Promise<number>
}

export const SUBCOMMANDS: Record<string, Subcommand> = {
  why: { usage: 'vitest-memory why [JOURNAL]', description: 'explain a journal: what was running when the run ended or died, and how big it was', flags: [], run: async (argv) => { runWhy(argv); return 0 } },
  tag: { usage: TAG_USAGE, description: 'tag (or untag) memory_intensive files from their measured history', flags: TAG_FLAGS, run: async (argv) => { console.log((await tagCommand(argv)).join('\n')); return 0 } },
  html: { usage: HTML_USAGE, description: 'render a saved report.json as the self-contained HTML report', flags: Object.keys(HTML_FLAGS), run: htmlCommand },
  compare: { usage: COMPARE_USAGE, description: 'compare two reports; exit 1 when a file grew beyond both thresholds', flags: Object.keys(COMPARE_FLAGS), run: compareCommand },
  plan: { usage: PLAN_USAGE, description: 'split the test files into N shards balanced by measured duration and peak (JSON, usable as a CI matrix)', flags: Object.keys(PLAN_FLAGS), run: planCommand },
}

export function commandsHelp(): string {
  return ['Commands:', ...Object.values(SUBCOMMANDS).flatMap(c => [`  ${c.usage}`, `      ${c.description}`])].join('\n')
}
