// The pool's answer to a test process asking for a verdict (verdict-link.ts): the tree sampled now,
// judged by the one verdict (policy/verdict.ts). Pure of the worker's state: what it needs comes in.
import type { VerdictPolicy } from '../policy/verdict.js'
import { fileVerdictText, judgeFile, judgeTest, overBudgetError, testVerdictText } from '../policy/verdict.js'
import type { RunningFile } from './running-file.js'
import type { VerdictQuery, VerdictReply } from './protocol.js'

/** `treePeakBytes`: the file's tree peak so far, after a fresh sample. Marks the file failed in the child when it is. */
export function answerVerdict(query: VerdictQuery, running: RunningFile | undefined, treePeakBytes: number, policy: VerdictPolicy): VerdictReply {
  if (query.kind === 'test') {
    running?.watch.tests.ended(query.testId)
    const tree = running?.watch.tests.peakOf(query.testId) ?? null
    const added = Math.max(0, Math.max(query.ownPeakRssBytes, tree ?? 0) - query.startRssBytes)
    const verdict = judgeTest(added, query.budgetBytes, policy.budgetMode)
    if (!verdict?.over) return { id: query.id, treePeakRssBytes: tree }
    return verdict.fails
      ? { id: query.id, treePeakRssBytes: tree, error: overBudgetError(`vitest-memory: ${running?.relativeFile ?? 'the file'}: ${testVerdictText(verdict)}`) }
      : { id: query.id, treePeakRssBytes: tree, warning: testVerdictText(verdict) }
  }
  if (!running || running.file !== query.file) return { id: query.id, treePeakRssBytes: null }
  const figures = {
    treePeakRssBytes: Math.max(treePeakBytes, query.ownPeakRssBytes),
    budgetBytes: running.budget?.bytes ?? null,
    budgetSource: running.budget?.source ?? null,
    shared: query.startRssBytes != null ? { startRssBytes: query.startRssBytes } : running.watch.shared,
  }
  const verdict = judgeFile(figures, policy)
  if (!verdict.fails) return { id: query.id, treePeakRssBytes: figures.treePeakRssBytes }
  running.failedInChild = true
  return {
    id: query.id,
    treePeakRssBytes: figures.treePeakRssBytes,
    error: overBudgetError(`vitest-memory: ${running.relativeFile} ${fileVerdictText(verdict, figures)}`),
  }
}
