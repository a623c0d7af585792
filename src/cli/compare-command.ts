// `vitest-memory compare BASE.json HEAD.json`: the regression gate between two saved reports.
// Exit 1 when a file grew beyond both thresholds, 0 otherwise, 2 on bad usage.
import { appendFileSync } from 'node:fs'
import { resolve } from 'node:path'
import { writeCommandOutput } from '../record/atomic-write.js'
import { UsageError } from '../errors.js'
import { DEFAULT_FAIL_ON_INCREASE, DEFAULT_MIN_DELTA, parseIncrease } from '../options.js'
import { compareReports } from '../policy/regression.js'
import { readReport } from '../record/read-report.js'
import { renderComparison, renderComparisonMarkdown } from '../report/compare-table.js'
import { annotations, isGitHubActions } from '../report/github.js'
import { parseSize } from '../size.js'
import { parseCommandArgs } from './command-args.js'

export const COMPARE_USAGE = 'vitest-memory compare BASE.json HEAD.json [--fail-on-increase 20%] [--min-delta 20MB] [--markdown PATH]'
export const COMPARE_FLAGS = { '--fail-on-increase': 'failOnIncrease', '--min-delta': 'minDelta', '--markdown': 'markdown', '--memory-markdown': 'markdown' }

export async function compareCommand(argv: string[]): Promise<number> {
  const { positionals, values } = parseCommandArgs(argv, {
    usage: COMPARE_USAGE,
    valued: COMPARE_FLAGS,
  })
  if (positionals.length !== 2) throw new UsageError(`Give a base and a head report. Usage: ${COMPARE_USAGE}`)
  let failOnIncrease: number
  let minDeltaBytes: number
  try {
    failOnIncrease = parseIncrease(values.failOnIncrease ?? DEFAULT_FAIL_ON_INCREASE, '--fail-on-increase')
    minDeltaBytes = parseSize(values.minDelta ?? DEFAULT_MIN_DELTA, '--min-delta')
  } catch (error) {
    throw new UsageError((error as Error).message)
  }
  const base = readReport(resolve(positionals[0]))
  const head = readReport(resolve(positionals[1]))
  const comparison = compareReports(base, head, { failOnIncrease, minDeltaBytes })
  console.log(renderComparison(comparison))
  const markdown = renderComparisonMarkdown(comparison)
  if (values.markdown) {
    writeCommandOutput('the Markdown comparison', resolve(values.markdown), `${markdown}\n`)
  }
  if (isGitHubActions()) {
    // Annotations carry paths relative to the repository; the reports' paths are relative to their root (here: cwd).
    const regressionsOnly = { ...head, files: [] }
    for (const line of annotations(regressionsOnly, process.cwd(), comparison)) console.log(line)
    if (process.env.GITHUB_STEP_SUMMARY) appendFileSync(process.env.GITHUB_STEP_SUMMARY, `${markdown}\n`)
  }
  if (comparison.regressions.length > 0) {
    console.error(`vitest-memory: ${comparison.regressions.length} file${comparison.regressions.length === 1 ? '' : 's'} grew beyond the threshold.`)
    return 1
  }
  return 0
}
