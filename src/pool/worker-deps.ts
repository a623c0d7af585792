// The orchestrator's dependencies as production wires them, in this one place (the ports are in
// worker-ports.ts): TestProcess for processes, the run session (run-session.ts: the run's
// measurements, scheduling, timeline and journal) and Vitest's internals for the sink.
import { machineInfo, readOomKillCount, recentOomKillCount } from '../measure/machine.js'
import { hasProcfs, readCommand, resetPeak } from '../measure/procfs.js'
import { attachMeasurement } from '../record/task-meta.js'
import { annotateFileVerdict } from '../record/verdict-annotations.js'
import { measurementKey, runSession } from '../run-session.js'
import {
  bailAfterMemoryFailure,
  cancelFilesInVitest,
  catchErrorInVitest,
  failFileInVitest,
  failFinishedFileInVitest,
  fileStateInVitest,
  findFileTask,
  isCancelling,
  startTestInVitest,
} from '../vitest-internals/tasks.js'
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
    journal: entry => runSession().journal?.write(entry),
    fileStarted: (project, file) => runSession().startedFiles.add(measurementKey(project, file)),
    measured: measurement => runSession().measurements.set(measurementKey(measurement.project, measurement.file), measurement),
    live: worker => runSession().liveWorkers.add(worker),
    gone: worker => runSession().liveWorkers.delete(worker),
    aborting: () => runSession().aborting,
    scheduling: runScheduling,
    timeline: {
      begin: (key, project, file, at) => runSession().timeline.begin(key, project, file, at),
      update: (key, rssBytes) => runSession().timeline.update(key, rssBytes),
      end: key => runSession().timeline.end(key),
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
    attachMeasurement: (vitest, measurement, annotation) => attachMeasurement(vitest, measurement, runSession().timeline, annotation ?? null),
    annotateFile(project, file, annotation) {
      const task = findFileTask(project.vitest, project.name, file)
      if (task) annotateFileVerdict(task as never, annotation)
    },
  },
  machine: {
    resetPeak: pid => {
      if (hasProcfs()) resetPeak(pid)
    },
    readCommand,
    oomKills: shared => (shared ? recentOomKillCount() : readOomKillCount()),
    memoryBytes: () => {
      const machine = machineInfo()
      return machine.cgroupLimitBytes ?? machine.totalMemoryBytes
    },
  },
  clock: { now: () => Date.now() },
}
