// Vitest's batch of several files for one shared worker (isolate: false): run whole on the process
// when nothing must happen between its files (batch.ts), else one request per file. Run whole, the
// process reports each file's start and end (protocol.ts's file boundaries) and the worker measures
// each file from those; when the process dies, the file in flight has failed (its watch says why)
// and the files it had not started go to a fresh process.
import type { TestProject } from 'vitest/node'
import type { ChildFilePeak } from './child-state.js'
import type { OwnPeak } from '../measure/self.js'
import type { ResolvedMemoryOptions } from '../options.js'
import type { RunScheduling } from '../run-session.js'
import { runsWhole } from './batch.js'
import { BATCH_MARK, JUDGE_MARK, type FileBoundary } from './protocol.js'
import { batchErrors, budgetOf, serializeError, withFiles, type FileRequest, type FileSpec, type FinishedMessage } from './running-file.js'
import type { OrchestratorDeps, PoolProcess } from './worker-ports.js'

/** What a batch needs of the worker (worker.ts) that runs it. */
export interface BatchHost {
  readonly project: TestProject
  readonly resolved: ResolvedMemoryOptions
  readonly deps: OrchestratorDeps
  scheduling(): RunScheduling
  /** The shared process's recycling threshold: recycling splits the batch. */
  readonly recycleAboveBytes: number | null
  /** The project names its own `runner` (its tests are seen through setup-file hooks only). */
  customRunner(): boolean
  /** Runs one file as a request of its own, as a single file runs, and returns Vitest's answer. */
  runOne(request: FileRequest): Promise<FinishedMessage>
  /** The live process, or a new one (a spare when one is waiting), ready for a request. */
  readyProcess(file: string, spares: RunScheduling['spares']): Promise<PoolProcess>
  /** The process the worker runs on now (a dead or recycled one is no longer it). */
  currentProcess(): PoolProcess | undefined
  /** Resolves with the answer to the request sent next (or with the death of its process). */
  expectFinished(): Promise<FinishedMessage>
  /** The request was never sent: nothing waits for its answer. */
  dropFinished(): void
  /** A file of the batch starts on the process: its time and peak start now. */
  fileStarted(file: string, process: PoolProcess): void
  /** A file of the batch ended, with the process's own figures (no further sample: the next file runs). */
  fileEnded(file: string, figures: OwnPeak & Partial<ChildFilePeak>): void
}

export class SharedBatch {
  /** A batch running whole on the process: its files not started yet, by path. */
  private waiting: Map<string, FileSpec> | undefined

  constructor(private readonly host: BatchHost) {}

  /** Vitest's request with more than one file, run whole or one file per request. */
  async run(request: FileRequest): Promise<FinishedMessage> {
    const { host } = this
    const specs = request.context.files
    const scheduling = host.scheduling()
    if (
      runsWhole({
        shared: true,
        requestType: request.type,
        files: specs.length,
        admission: scheduling.gate != null,
        recycleAboveBytes: host.recycleAboveBytes,
        heapProfile: host.resolved.heapProfile != null,
        customRunner: host.customRunner(),
        vm: host.resolved.vm,
      })
    )
      return this.runWhole(request, scheduling.spares)
    const { vitest } = host.deps
    const errors = batchErrors(host.project.vitest, vitest.catchError)
    for (const [index, spec] of specs.entries()) {
      // --bail or a cancel: the files not yet started stay unstarted, as with Vitest's own pool.
      if (vitest.isCancelling(host.project)) {
        await vitest.cancelFiles(host.project, specs.slice(index))
        break
      }
      const done = await host.runOne(withFiles(request, [spec]))
      if (done.error) errors.add(done.error)
    }
    return errors.finished()
  }

  /** A process running a batch whole says where a file starts and ends. */
  onBoundary(process: PoolProcess, boundary: FileBoundary): void {
    if (boundary.type === 'start') {
      if (this.waiting?.delete(boundary.file)) this.host.fileStarted(boundary.file, process)
    } else {
      this.host.fileEnded(boundary.file, boundary.vitestMemory)
    }
  }

  /** The batch goes to the process in one request; after a death, the files not started go again. */
  private async runWhole(request: FileRequest, spares: RunScheduling['spares']): Promise<FinishedMessage> {
    const { host } = this
    const { project, resolved } = host
    const { vitest } = host.deps
    const errors = batchErrors(project.vitest, vitest.catchError)
    let waiting: FileSpec[] = []
    for (const spec of request.context.files) {
      try {
        if (!(await vitest.skipBeforeStart(withFiles(request, [spec]), project, resolved))) waiting.push(spec)
      } catch (error) {
        errors.add(serializeError(error))
      }
    }
    while (waiting.length) {
      if (vitest.isCancelling(project)) {
        await vitest.cancelFiles(project, waiting)
        break
      }
      const batch = new Map(waiting.map(spec => [spec.filepath, spec]))
      this.waiting = batch
      const finished = host.expectFinished()
      let process: PoolProcess
      try {
        process = await host.readyProcess(waiting[0]!.filepath, spares)
      } catch (error) {
        host.dropFinished()
        this.waiting = undefined
        const serialized = serializeError(error)
        errors.add({ ...serialized, message: `[vitest-memory]: the test process for ${waiting.length} files failed to start: ${serialized.message}` })
        break
      }
      const judged = waiting.map(spec => spec.filepath).filter(file => budgetOf(project, file, resolved) != null)
      process.send({ ...withFiles(request, waiting), [BATCH_MARK]: true, [JUDGE_MARK]: judged })
      const done = await finished
      this.waiting = undefined
      if (done.error) errors.add(done.error)
      // Ran to its end (Vitest's worker also handles a cancel inside the batch): nothing to resend.
      if (process.alive && host.currentProcess() === process) break
      // Died before any file started (its run's own setup kills it): a fresh process would too.
      if (batch.size === waiting.length) break
      waiting = [...batch.values()]
    }
    return errors.finished()
  }
}
