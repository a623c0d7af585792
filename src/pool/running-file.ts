// The file a worker's process is running: what the pool knows of it from its start (budget, hard
// limit, its watch) and the measurement it stores when it ends, judged by the one verdict. Also the request/response
// shapes the worker exchanges with Vitest.
import { relative } from 'node:path'
import type { TestProject, Vitest, WorkerRequest } from 'vitest/node'
import type { OwnPeak } from '../measure/self.js'
import type { ResolvedMemoryOptions } from '../options.js'
import { readAnnotations } from '../policy/annotations.js'
import { budgetFor, type FileBudget } from '../policy/budget.js'
import { limitFor } from '../policy/limit.js'
import { fileVerdictText, judgeFile, overBudgetError } from '../policy/verdict.js'
import { verdictAnnotation } from '../record/verdict-annotations.js'
import type { FileMeasurement } from '../model.js'
import { peakProfileSettings } from './child-launch.js'
import type { ChildFilePeak } from './child-state.js'
import { FileWatch } from './file-watch.js'
import { SharedLifecycle } from './shared-lifecycle.js'
import { response } from './protocol.js'
import type { OrchestratorDeps, PoolProcess, VitestSink } from './worker-ports.js'

export type StartRequest = Extract<WorkerRequest, { type: 'start' }>
export type FileRequest = Extract<WorkerRequest, { type: 'run' | 'collect' }>
export type FileSpec = FileRequest['context']['files'][number]
/** What Vitest is told when a request is done: `testfileFinished`, with an error or not. */
export type FinishedMessage = Record<string, unknown>

export interface RunningFile {
  file: string
  relativeFile: string
  startedAt: number
  budget: FileBudget | null
  /** Watches the hard limit, writes the journal's samples, and turns a death into a failed file. */
  watch: FileWatch
  /** The process was told the file is over its budget (and failed it in Vitest): not again at its end. */
  failedInChild?: boolean
}

/** A file is about to run: its budget and hard limit (config, annotations) and its watch. */
export function openRunningFile(project: TestProject, file: string, resolved: ResolvedMemoryOptions, deps: OrchestratorDeps): RunningFile {
  const root = project.config.root
  const relativeFile = toPosix(relative(root, file))
  const annotations = readAnnotations(file)
  const budget = budgetFor(relativeFile, annotations, resolved)
  const limit = limitFor(relativeFile, annotations, resolved)
  const startedAt = deps.clock.now()
  const watch = new FileWatch(
    project,
    file,
    relativeFile,
    startedAt,
    budget,
    limit,
    resolved.annotations,
    peakProfileSettings(resolved, root)?.dir ?? null,
    resolved.sampleIntervalMs,
    deps,
  )
  deps.run.fileStarted(project.name, file)
  return { file, relativeFile, startedAt, budget, watch }
}

/**
 * The file's measurement from the process's own figures (`own`) and the pool's tree samples.
 * `atEnd`: the process waits at the file's end, so one more sample belongs to it (not so for a
 * batch run whole: by the time its end is reported the process runs the next file).
 */
export function fileMeasurement(
  running: RunningFile,
  process: PoolProcess,
  project: string,
  own: (OwnPeak & Partial<ChildFilePeak>) | undefined,
  atEnd: boolean,
  now: number,
): FileMeasurement {
  if (atEnd) process.sampler.sampleNow()
  const peak = own?.peakRssBytes ?? null
  const treePeak = Math.max(process.sampler.treePeakBytes, peak ?? 0) || null
  const { file, startedAt, budget, watch } = running
  const shared = watch.shared ? SharedLifecycle.withFigures(watch.shared, own?.shared) : null
  if (shared) watch.shared = shared
  const testTreePeaks = watch.tests.toRecord()
  return {
    file,
    project,
    pid: process.pid,
    method: own?.method ?? 'getrusage',
    peakRssBytes: peak,
    treePeakRssBytes: treePeak,
    durationMs: now - startedAt,
    startedAt,
    budgetBytes: budget?.bytes ?? null,
    budgetSource: budget?.source ?? null,
    setupPeakRssBytes: own?.setupPeakRssBytes ?? null,
    testPeakMethod: own?.testPeakMethod ?? null,
    profilePath: process.launch.profilePath,
    preloadedEnvironment: process.preloadedEnvironment,
    ...watch.limitFields(),
    ...(shared ? { shared } : {}),
    ...(testTreePeaks ? { testTreePeaks } : {}),
    ...(process.sampler.peakProcesses ? { treePeakProcesses: process.sampler.peakProcesses } : {}),
  }
}

/**
 * The file ran to its end: its measurement is stored and attached (with its verdict annotation),
 * and a file over its budget the process was not told about (a peak after its question, or a file
 * that did not ask) is failed in Vitest's state now, before Vitest learns that the file finished.
 */
export function endRunningFile(
  running: RunningFile,
  process: PoolProcess,
  own: (OwnPeak & Partial<ChildFilePeak>) | undefined,
  atEnd: boolean,
  { project, resolved, deps }: { project: TestProject; resolved: ResolvedMemoryOptions; deps: OrchestratorDeps },
): FileMeasurement {
  const { run, vitest, clock } = deps
  const measurement = fileMeasurement(running, process, project.name, own, atEnd, clock.now())
  run.measured(measurement)
  vitest.attachMeasurement(project.vitest, measurement, resolved.annotations ? verdictAnnotation(measurement, resolved) : null)
  const verdict = judgeFile(measurement, resolved)
  if (verdict.fails && !running.failedInChild)
    void vitest.failFinishedFile(project, running.file, overBudgetError(`vitest-memory: ${running.relativeFile} ${fileVerdictText(verdict, measurement)}`))
  if (verdict.fails) vitest.bail(project)
  return measurement
}

/** The file's budget, as its start will find it (comment, glob, global); null on a comment that cannot be read. */
export function budgetOf(project: TestProject, file: string, resolved: ResolvedMemoryOptions): FileBudget | null {
  try {
    return budgetFor(toPosix(relative(project.config.root, file)), readAnnotations(file), resolved)
  } catch {
    return null
  }
}

/** A batch's errors: the first goes back with its `testfileFinished`, the others to Vitest's state. */
export function batchErrors(vitest: Vitest, catchError: VitestSink['catchError']) {
  let first: unknown
  return {
    add(error: unknown): void {
      if (first) catchError(vitest, error, 'Test Run Error')
      else first = error
    },
    finished: (): FinishedMessage => response({ type: 'testfileFinished', ...(first ? { error: first } : {}) }),
  }
}

export function serializeError(error: unknown): { name: string; message: string; stack?: string } {
  // Already serialized by Vitest's worker (a failed start): keep its own stack.
  if (!(error instanceof Error) && typeof (error as { message?: unknown })?.message === 'string')
    return error as { name: string; message: string; stack?: string }
  const e = error instanceof Error ? error : new Error(String((error as { message?: string })?.message ?? error))
  return { name: e.name, message: e.message, stack: e.stack }
}

export function withFiles(request: FileRequest, files: FileSpec[]): FileRequest {
  return { ...request, context: { ...request.context, files } }
}

export function toPosix(path: string): string {
  return path.split('\\').join('/')
}
