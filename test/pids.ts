// Orphan checks: fixtures note the pids of the subprocesses they start in $VM_PID_DIR/pids.
import { readFileSync } from 'node:fs'
import { join } from 'node:path'

export function recordedPids(pidDir: string): number[] {
  try {
    return readFileSync(join(pidDir, 'pids'), 'utf8').split('\n').filter(Boolean).map(Number)
  } catch {
    return []
  }
}

/** Pids still running; a zombie (state Z) is dead, only waiting for its new parent to reap it. */
export function alivePids(pids: number[]): number[] {
  return pids.filter(pid => {
    try {
      const stat = readFileSync(`/proc/${pid}/stat`, 'utf8')
      return stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3) !== 'Z'
    } catch {
      return false
    }
  })
}

/** Waits until the recorded pids (and any extra ones) are gone; returns those still alive. */
export async function waitGone(pidDir: string, extra: number[] = [], timeoutMs = 5000): Promise<number[]> {
  const pids = [...recordedPids(pidDir), ...extra]
  const deadline = Date.now() + timeoutMs
  let alive = alivePids(pids)
  while (alive.length && Date.now() < deadline) {
    await new Promise(done => setTimeout(done, 100))
    alive = alivePids(pids)
  }
  return alive
}
