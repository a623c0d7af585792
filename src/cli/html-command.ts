// `vitest-memory html report.json [-o out.html]`: renders any saved report as the HTML page.
import { resolve } from 'node:path'
import { UsageError } from '../errors.js'
import { readReport } from '../record/read-report.js'
import { writeHtml } from '../report/html.js'
import { parseCommandArgs } from './command-args.js'

export const HTML_USAGE = 'vitest-memory html REPORT.json [-o OUT.html]'
export const HTML_FLAGS = { '-o': 'output', '--output': 'output' }

export async function htmlCommand(argv: string[]): Promise<number> {
  const { positionals, values } = parseCommandArgs(argv, { usage: HTML_USAGE, valued: HTML_FLAGS })
  if (positionals.length !== 1) throw new UsageError(`Give one report to render. Usage: ${HTML_USAGE}`)
  const input = resolve(positionals[0])
  const report = readReport(input)
  const output = resolve(values.output ?? `${input.replace(/\.json$/i, '')}.html`)
  writeHtml(output, report)
  console.log(`HTML report: ${output}`)
  return 0
}
