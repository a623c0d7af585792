// The outputs after the table: the JSON report, the comparison with a base report, HTML,
// Markdown, and GitHub Actions annotations + job summary. An output that cannot be written is one
// line (what, where, why) and the run goes on: the table and the verdict are never lost to it.
import pc from 'picocolors'
import type { ResolvedMemoryOptions } from '../options.js'
import { compareReports, type Comparison } from '../policy/regression.js'
import { readReport } from '../record/read-report.js'
import { writeFailure, writeFileAtomic } from '../record/atomic-write.js'
import { displayPath } from '../record/display-path.js'
import type { MemoryReport } from '../record/report.js'
import { regressionLine, renderComparison } from './compare-table.js'
import { isGitHubActions, writeGitHubOutput } from './github.js'
import { profileHrefFor, renderHtml } from './html.js'
import { renderMarkdown } from './markdown.js'

export interface Logger {
  log: (message: string) => void
  error: (message: string) => void
}

/** The report --compare-to names, read when the run started (this run may write over it). */
export interface Baseline {
  path: string
  report: MemoryReport | null
  /** Why it could not be read (one line), when it could not. */
  error: string | null
}

export function readBaseline(path: string | null): Baseline | null {
  if (!path) return null
  try {
    return { path, report: readReport(path), error: null }
  } catch (error) {
    return { path, report: null, error: (error as Error).message }
  }
}

/** Writes outputs one by one; one that fails is one line, never an exception. */
export class OutputWriter {
  /** An output the user asked for by name (flag, env or config) could not be written: the run fails. */
  askedForFailed = false

  constructor(private readonly logger: Logger) {}

  /** Returns whether it was written. */
  write(what: string, path: string, askedFor: boolean, write: () => void): boolean {
    try {
      write()
      return true
    } catch (error) {
      this.failed(what, path, askedFor, error)
      return false
    }
  }

  failed(what: string, path: string, askedFor: boolean, error: unknown): void {
    const line = `vitest-memory: could not write ${what} ${displayPath(path)}: ${writeFailure(error)}`
    this.logger.error(askedFor ? pc.red(line) : pc.yellow(line))
    if (askedFor) this.askedForFailed = true
  }
}

export interface OutputsVerdict {
  /** The comparison found a file that grew beyond the thresholds. */
  regression: boolean
  /** The base report could not be read: an input error. */
  baselineUnreadable: boolean
}

/** Writes every requested output after the JSON report. */
export function writeOutputs(
  report: MemoryReport,
  options: ResolvedMemoryOptions,
  root: string,
  logger: Logger,
  out: OutputWriter,
  baseline: Baseline | null,
): OutputsVerdict {
  let comparison: Comparison | undefined
  if (baseline?.report) {
    comparison = compareReports(baseline.report, report, options)
    logger.log(renderComparison(comparison))
  } else if (baseline?.error) {
    logger.error(pc.red(`vitest-memory: cannot compare: ${baseline.error}`))
  }
  if (
    options.htmlPath &&
    out.write('the HTML report', options.htmlPath, true, () => writeFileAtomic(options.htmlPath!, renderHtml(report, profileHrefFor(options.htmlPath!, root))))
  ) {
    logger.log(pc.dim(` HTML report: ${displayPath(options.htmlPath)}\n`))
  }
  const markdownPath = options.markdownPath
  if (
    markdownPath &&
    out.write('the Markdown summary', markdownPath, true, () => writeFileAtomic(markdownPath, renderMarkdown(report, options.top, comparison)))
  ) {
    logger.log(pc.dim(` Markdown report: ${displayPath(markdownPath)}\n`))
  }
  if (isGitHubActions()) {
    out.write('the GitHub job summary', process.env.GITHUB_STEP_SUMMARY ?? '', false, () =>
      writeGitHubOutput(report, root, line => logger.log(line), options.top, comparison),
    )
  }
  const regressions = comparison?.regressions ?? []
  if (regressions.length > 0) {
    const n = regressions.length
    logger.error(
      pc.red(
        `vitest-memory: ${n} file${n === 1 ? '' : 's'} grew beyond the threshold compared with ${displayPath(baseline!.path)}:\n${regressions.map(regressionLine).join('\n')}`,
      ),
    )
  }
  return { regression: regressions.length > 0, baselineUnreadable: baseline?.error != null }
}
