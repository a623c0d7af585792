// The orchestrator's dependencies as production wires them, in this one place (the ports are in
// worker-ports.ts): TestProcess for processes, today's run state (state.ts, the run's scheduling,
// timeline and journal) and Vitest's internals for the sink. A change in where run state lives (a
// run session) changes this file alone.
import { machineInfo, readOomKillCount, recentOomKillCount } from '../measure/machine.js'
import { hasProcfs, readCommand, resetPeak } from '../measure/procfs.js'
import { runTimeline } from '../measure/run-timeline.js'
import { attachMeasurement } from '../record/task-meta.js'
import { annotateFileVerdict } from '../record/verdict-annotations.js'
import { measurementKey, sharedState } from '../state.js'
import { bailAfterMemoryFailure, cancelFilesInVitest, catchErrorInVitest, failFileInVitest, failFinishedFileInVitest, fileStateInVitest, findFileTask, isCancelling, startTestInVitest } from '../vitest-internals/tasks.js'
import { ensureRunJournal } from './abort.js'
import { runScheduling } from './run-scheduling.js'
import { failFileNotStarted } from './start-failure.js'
import { skipBeforeStart } from './tag-gate.js'
import { TestProcess } from './test-process.js'
import type { OrchestratorDeps } from './worker-ports.js'

export const productionDeps: OrchestratorDeps = {
  createProcess: (options, events) => new TestProcess(options, events),
  run: {
    openJournal: ensureRunJournal,
    journal: entry => sharedState().journal?.write(entry),
    fileStarted: (project, file) => sharedState().startedFiles.add(measurementKey(project, file)),
    measured: measurement => sharedState().measurements.set(measurementKey(measurement.project, measurement.file), measurement),
    live: worker => sharedState().liveWorkers.add(worker),
    gone: worker => sharedState().liveWorkers.delete(worker),
    aborting: () => sharedState().aborting,
    scheduling: runScheduling,
    timeline: {
      begin: (key, project, file, at) => runTimeline().begin(key, project, file, at),
      update: (key, rssBytes) => runTimeline().update(key, rssBytes),
      end: key => runTimeline().end(key),
    },
  },
  vitest: {
    isCancelling: project => isCancelling(project.vitest),
    cancelFiles: cancelFilesInVitest,
    skipBeforeStart,
    failNotStarted: (project, file, relativeFile, error) => failFileNotStarted(project, file, relativeFile, error, 0),
    failFile: failFileInVitest,
    failFinishedFile: failFinishedFileInVitest,
    bail: bailAfterMemoryFailure,
    fileState: fileStateInVitest,
    startTest: startTestInVitest,
    catchError: catchErrorInVitest,
    attachMeasurement: (vitest, measurement, annotation) => attachMeasurement(vitest, measurement, runTimeline(), annotation ?? null),
    annotateFile(project, file, annotation) {
      const task = findFileTask(project.vitest, project.name, file)
      if (task) annotateFileVerdict(task as never, annotation)
    },
  },
  machine: {
    resetPeak: (pid) => {
      if (hasProcfs()) resetPeak(pid)
    },
    readCommand,
    oomKills: shared => shared ? recentOomKillCount() : readOomKillCount(),
    memoryBytes: () => {
      const machine = machineInfo()
      return machine.cgroupLimitBytes ?? machine.totalMemoryBytes
    },
  },
  clock: { now: () => Date.now() },
}
