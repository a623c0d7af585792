// GitHub Actions output: workflow commands that annotate the guilty files on the PR, and the
// Markdown summary appended to the job page ($GITHUB_STEP_SUMMARY).
import { appendFileSync } from 'node:fs'
import { overBudgetText } from './verdict-line.js'
import { join, relative } from 'node:path'
import type { Comparison } from '../policy/regression.js'
import type { FileReport, MemoryReport } from '../record/report.js'
import { formatBytes } from '../size.js'
import { renderMarkdown } from './markdown.js'

export function isGitHubActions(env: NodeJS.ProcessEnv = process.env): boolean {
  return env.GITHUB_ACTIONS === 'true'
}

/** Escaping of workflow command data and properties, as in @actions/core. */
const escapeData = (s: string) => s.replace(/%/g, '%25').replace(/\r/g, '%0D').replace(/\n/g, '%0A')
const escapeProperty = (s: string) => escapeData(s).replace(/:/g, '%3A').replace(/,/g, '%2C')

function command(level: 'error' | 'warning', file: string, title: string, message: string): string {
  return `::${level} file=${escapeProperty(file)},title=${escapeProperty(title)}::${escapeData(message)}`
}

/**
 * One annotation per over-budget, crashed or killed file (and per file over the comparison
 * threshold). Paths are relative to the repository ($GITHUB_WORKSPACE), so GitHub can place them.
 */
export function annotations(report: MemoryReport, root: string, comparison?: Comparison, env: NodeJS.ProcessEnv = process.env): string[] {
  const workspace = env.GITHUB_WORKSPACE || process.cwd()
  const path = (file: string) => relative(workspace, join(root, file)).split('\\').join('/')
  const budgetLevel = report.budgetMode === 'warn' ? 'warning' : 'error'
  const out: string[] = []
  for (const f of report.files as FileReport[]) {
    const state = f.state as string
    if (state === 'crash' || state === 'killed') {
      const peak = f.peakRssBytes != null ? ` (peak ${formatBytes(f.treePeakRssBytes ?? f.peakRssBytes)})` : ''
      out.push(
        command(
          'error',
          path(f.file),
          state === 'crash' ? 'Test file crashed' : 'Test file killed',
          `${f.file} ${state === 'crash' ? 'crashed: its process died before the file finished' : 'was killed'}${peak}.`,
        ),
      )
    }
    if (f.overBudget) {
      out.push(
        command(budgetLevel, path(f.file), 'Memory budget exceeded', `${f.file} ${overBudgetText(f)}${report.budgetMode === 'warn' ? ' (warning only)' : ''}.`),
      )
    }
  }
  for (const c of comparison?.regressions ?? []) {
    out.push(command('error', path(c.file), 'Memory regression', `${c.file} grew from ${formatBytes(c.baseBytes)} to ${formatBytes(c.headBytes)}.`))
  }
  return out
}

/** Prints the annotations and appends the summary; returns what it did, for the log. */
export function writeGitHubOutput(
  report: MemoryReport,
  root: string,
  print: (line: string) => void,
  top?: number,
  comparison?: Comparison,
  env: NodeJS.ProcessEnv = process.env,
): void {
  for (const line of annotations(report, root, comparison, env)) print(line)
  if (env.GITHUB_STEP_SUMMARY) appendFileSync(env.GITHUB_STEP_SUMMARY, `${renderMarkdown(report, top, comparison)}\n`)
}
