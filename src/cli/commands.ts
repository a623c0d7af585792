// The subcommands of vitest-memory; anything else on the command line is a Vitest run.
import { compareCommand, COMPARE_USAGE } from './compare-command.js'
import { htmlCommand, HTML_USAGE } from './html-command.js'
import { planCommand, PLAN_USAGE } from './plan-command.js'

export interface Subcommand {
  usage: string
  description: string
  /** Resolves to the exit code. */
  run: (argv: string[]) => Promise<number>
}

export const SUBCOMMANDS: Record<string, Subcommand> = {
  html: { usage: HTML_USAGE, description: 'render a saved report.json as the self-contained HTML report', run: htmlCommand },
  compare: { usage: COMPARE_USAGE, description: 'compare two reports; exit 1 when a file grew beyond both thresholds', run: compareCommand },
  plan: { usage: PLAN_USAGE, description: 'split the test files into N shards balanced by measured duration and peak (JSON, usable as a CI matrix)', run: planCommand },
}

export function commandsHelp(): string {
  return ['Commands:', ...Object.values(SUBCOMMANDS).flatMap(c => [`  ${c.usage}`, `      ${c.description}`])].join('\n')
}
