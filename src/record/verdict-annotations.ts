// A file's memory verdict (over its budget, killed at its limit) as a Vitest test annotation on
// the test during which the file peaked, so junit, the html reporter and Vitest UI show it beside
// the test. Added in the main process when the pool learns the verdict, before Vitest learns the
// file finished (the reporters that render annotations read them at the end of the run).
import { fileVerdictText, judgeFile, type JudgedFigures, type VerdictPolicy } from '../policy/verdict.js'
import { TEST_META_KEY } from '../test-meta.js'
import type { TestMemory } from '../model.js'

interface TaskTree {
  type: string
  meta: Record<string, unknown>
  tasks?: TaskTree[]
  annotations?: { message: string; type: string }[]
  result?: { state?: string }
}

export interface VerdictAnnotation {
  message: string
  /** `warning` in warn mode, `error` when the verdict fails the file. */
  type: 'warning' | 'error'
}

/** The annotation of a killed file, or of a file over its budget (judged by policy/verdict.ts). */
export function verdictAnnotation(
  measurement: JudgedFigures & { crash?: { state: string; explanation: string } },
  policy: VerdictPolicy,
): VerdictAnnotation | null {
  if (measurement.crash?.state === 'killed') return { message: `vitest-memory: the file was killed: ${measurement.crash.explanation}`, type: 'error' }
  const verdict = judgeFile(measurement, policy)
  if (!verdict.over) return null
  return { message: `vitest-memory: the file ${fileVerdictText(verdict, measurement, ' during this test')}`, type: verdict.fails ? 'error' : 'warning' }
}

/** Puts the verdict on the test at the file's peak (or the last test that ran, or none). */
export function annotateFileVerdict(file: TaskTree, verdict: VerdictAnnotation | null): void {
  if (!verdict) return
  const tests: TaskTree[] = []
  const walk = (task: TaskTree) => {
    if (task.type === 'test') tests.push(task)
    for (const child of task.tasks ?? []) walk(child)
  }
  walk(file)
  const peak = (task: TaskTree) => (task.meta?.[TEST_META_KEY] as TestMemory | undefined)?.peakRssBytes ?? -1
  const ran = tests.filter(t => t.result?.state && t.result.state !== 'skip')
  // A test still running when the process was killed is the one the verdict belongs to.
  const target = ran.find(t => t.result?.state === 'run') ?? [...ran].sort((a, b) => peak(b) - peak(a))[0]
  if (!target) return
  target.annotations ??= []
  if (!target.annotations.some(a => a.message === verdict.message)) target.annotations.push({ ...verdict })
}
