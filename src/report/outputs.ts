// The outputs after the table and JSON: comparison with a base report, HTML, Markdown, and
// GitHub Actions annotations + job summary. The reporter calls this once per run.
import { relative } from 'node:path'
import pc from 'picocolors'
import type { ResolvedMemoryOptions } from '../options.js'
import { compareReports, type Comparison } from '../policy/regression.js'
import { readReport } from '../record/read-report.js'
import type { MemoryReport } from '../record/report.js'
import { renderComparison } from './compare-table.js'
import { isGitHubActions, writeGitHubOutput } from './github.js'
import { writeHtml } from './html.js'
import { writeMarkdown } from './markdown.js'

interface Logger {
  log: (message: string) => void
  error: (message: string) => void
}

/** Writes every requested output; returns true when the comparison found a regression. */
export function writeOutputs(report: MemoryReport, options: ResolvedMemoryOptions, root: string, logger: Logger): boolean {
  let comparison: Comparison | undefined
  if (options.compareTo) {
    try {
      comparison = compareReports(readReport(options.compareTo), report, options)
      logger.log(renderComparison(comparison))
    } catch (error) {
      logger.error(pc.red(`vitest-memory: --compare-to: ${(error as Error).message}`))
      process.exitCode = 1
    }
  }
  if (options.htmlPath) {
    writeHtml(options.htmlPath, report, root)
    logger.log(pc.dim(` HTML report: ${displayPath(options.htmlPath)}\n`))
  }
  if (options.markdownPath) {
    writeMarkdown(options.markdownPath, report, options.top, comparison)
    logger.log(pc.dim(` Markdown report: ${displayPath(options.markdownPath)}\n`))
  }
  if (isGitHubActions()) writeGitHubOutput(report, root, line => logger.log(line), options.top, comparison)
  if (comparison?.regressions.length) {
    const n = comparison.regressions.length
    logger.error(pc.red(`vitest-memory: ${n} file${n === 1 ? '' : 's'} grew beyond the threshold compared with ${displayPath(options.compareTo!)}:\n${comparison.regressions.map(c => `  ${c.file} ${c.baseBytes} → ${c.headBytes} bytes`).join('\n')}`))
    return true
  }
  return false
}

export function displayPath(path: string): string {
  const fromCwd = relative(process.cwd(), path)
  return fromCwd.startsWith('..') ? path : fromCwd
}
