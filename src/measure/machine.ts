// Facts about the machine a run happened on: total memory and the container's memory limit.
import { readFileSync } from 'node:fs'
import { availableParallelism, freemem, totalmem } from 'node:os'

/** Values at or above this are "no limit" in cgroup v1 (it reports a huge page-aligned number). */
const CGROUP_V1_UNLIMITED = 2 ** 60

/** The memory limit of this process's cgroup (v2 or v1), or null when there is none. */
export function readCgroupLimit(): number | null {
  const read = (path: string) => {
    try {
      return readFileSync(path, 'utf8').trim()
    } catch {
      return null
    }
  }
  const v2 = read('/sys/fs/cgroup/memory.max')
  if (v2 !== null) return v2 === 'max' ? null : Number(v2)
  const v1 = read('/sys/fs/cgroup/memory/memory.limit_in_bytes')
  if (v1 !== null && Number(v1) < CGROUP_V1_UNLIMITED) return Number(v1)
  return null
}

/**
 * Memory still available: the machine's (MemAvailable, what os.freemem() reads on Linux), and
 * within a container the limit minus what the container already uses, whichever is smaller.
 */
export function availableMemoryBytes(): number {
  const limit = readCgroupLimit()
  let used: number | null = null
  try {
    used = Number(readFileSync('/sys/fs/cgroup/memory.current', 'utf8').trim())
  } catch {
    // cgroup v1 or no cgroup: the machine's figure alone
  }
  const inContainer = limit != null && used != null && Number.isFinite(used) ? Math.max(0, limit - used) : Infinity
  return Math.min(freemem(), inContainer)
}

export function machineInfo() {
  return { totalMemoryBytes: totalmem(), cgroupLimitBytes: readCgroupLimit(), cpus: availableParallelism() }
}

/**
 * How many processes the kernel's OOM killer has killed: the container's count (cgroup v2
 * memory.events) and the machine's (/proc/vmstat, Linux >= 4.13). Null where not readable.
 * A count that rose while a file ran says its SIGKILL came from the OOM killer.
 */
export function readOomKillCount(): number | null {
  let total: number | null = null
  for (const path of ['/sys/fs/cgroup/memory.events', '/proc/vmstat']) {
    try {
      const match = /^oom_kill (\d+)$/m.exec(readFileSync(path, 'utf8'))
      if (match) total = (total ?? 0) + Number(match[1])
    } catch {
      // not on this system
    }
  }
  return total
}

/**
 * A file start in a shared process (isolate: false) may reuse a count read this recently:
 * /proc/vmstat costs ~40 µs to read, per file that is a few percent of a suite of tiny files.
 * A stale count can only misname a death the file would have died anyway (a SIGKILL while an
 * OOM kill hit another process in those 200 ms), never invent one.
 */
export const OOM_COUNT_REUSE_MS = 200

let lastOomCount: { at: number, count: number | null } | null = null

/** readOomKillCount(), or a reading at most OOM_COUNT_REUSE_MS old. */
export function recentOomKillCount(now = Date.now()): number | null {
  if (lastOomCount && now - lastOomCount.at <= OOM_COUNT_REUSE_MS) return lastOomCount.count
  lastOomCount = { at: now, count: readOomKillCount() }
  return lastOomCount.count
}
