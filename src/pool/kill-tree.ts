// Kills a test file's process and everything it started. The child is forked as the leader of
// its own process group (POSIX), so one kill(-pgid) reaches every descendant that stayed in the
// group even after the leader died and they were re-parented; descendants seen by the sampler
// are killed by pid as well (a process may leave the group with setsid), after checking by
// start time that the pid was not reused.
import { listDescendants } from '../measure/descendants.js'
import { hasProcfs, readStartTime } from '../measure/procfs.js'
import type { KnownProcess } from '../measure/sampler.js'

/** Forking the child with `detached: true` makes it a process-group leader (not on Windows). */
export const OWN_PROCESS_GROUP = process.platform !== 'win32'

export function killProcessTree(pid: number, known: Iterable<KnownProcess>, signal: NodeJS.Signals): void {
  const targets = new Set<number>(hasProcfs() ? listDescendants(pid) : [])
  for (const process_ of known) {
    if (readStartTime(process_.pid) === process_.startTime) targets.add(process_.pid)
  }
  if (OWN_PROCESS_GROUP) tryKill(-pid, signal)
  tryKill(pid, signal)
  for (const target of targets) tryKill(target, signal)
}

/** Sends the signal; false when there was no such process (already gone) or it was not ours to signal. */
export function tryKill(pid: number, signal: NodeJS.Signals): boolean {
  try {
    return process.kill(pid, signal)
  } catch {
    return false
  }
}
