// Facts about the machine a run happened on: total memory and the container's memory limit.
import { readFileSync } from 'node:fs'
import { availableParallelism, freemem, totalmem } from 'node:os'

/** Values at or above this are "no limit" in cgroup v1 (it reports a huge page-aligned number). */
const CGROUP_V1_UNLIMITED = 2 ** 60
const CGROUP_ROOT = '/sys/fs/cgroup'
const CGROUP_V1_MEMORY = '/sys/fs/cgroup/memory'

/** Reads a small file's text, or null when it is not there (or not readable). */
export type ReadText = (path: string) => string | null

const readText: ReadText = path => {
  try {
    return readFileSync(path, 'utf8').trim()
  } catch {
    return null
  }
}

/**
 * The cgroup directories that bound this process's memory, its own first, then its ancestors up to
 * the mount: the process's cgroup (from /proc/self/cgroup) is usually not the mount's root (a
 * systemd slice, a CI runner's cgroup, cgroup v1 without a cgroup namespace), and when its path is
 * not under the mount (a container's own cgroup mounted as the root) the root is what applies.
 */
function cgroupDirs(read: ReadText): { version: 1 | 2; dirs: string[] } | null {
  const lines = (read('/proc/self/cgroup') ?? '').split('\n')
  const v1Path = lines.map(line => /^\d+:([^:]*):(.*)$/.exec(line)).find(m => m?.[1].split(',').includes('memory'))?.[2]
  const v2Path = lines.map(line => /^0::(.*)$/.exec(line)).find(Boolean)?.[1]
  const below = (mount: string, path: string | undefined) => {
    const parts = (path ?? '/').split('/').filter(Boolean)
    const dirs = parts.map((_, i) => `${mount}/${parts.slice(0, parts.length - i).join('/')}`)
    return [...dirs, mount]
  }
  // cgroup v2 mounted at the root (cgroup.controllers), or a v2 container's own memory.max there.
  if (read(`${CGROUP_ROOT}/cgroup.controllers`) !== null || read(`${CGROUP_ROOT}/memory.max`) !== null) return { version: 2, dirs: below(CGROUP_ROOT, v2Path) }
  if (read(`${CGROUP_V1_MEMORY}/memory.limit_in_bytes`) !== null) return { version: 1, dirs: below(CGROUP_V1_MEMORY, v1Path) }
  return null
}

/** The memory limit of this process's cgroup (v2 or v1): the tightest of it and its ancestors, or null. */
export function readCgroupLimit(read: ReadText = readText): number | null {
  const found = cgroupDirs(read)
  if (!found) return null
  const limits: number[] = []
  for (const dir of found.dirs) {
    const text = read(`${dir}/${found.version === 2 ? 'memory.max' : 'memory.limit_in_bytes'}`)
    const bytes = text === null || text === 'max' ? NaN : Number(text)
    if (Number.isFinite(bytes) && bytes > 0 && bytes < CGROUP_V1_UNLIMITED) limits.push(bytes)
  }
  return limits.length > 0 ? Math.min(...limits) : null
}

/** What this process's cgroup uses now (v2 memory.current, v1 memory.usage_in_bytes), or null. */
function readCgroupUsage(read: ReadText): number | null {
  const found = cgroupDirs(read)
  for (const dir of found?.dirs ?? []) {
    const text = read(`${dir}/${found!.version === 2 ? 'memory.current' : 'memory.usage_in_bytes'}`)
    if (text !== null && Number.isFinite(Number(text))) return Number(text)
  }
  return null
}

/**
 * Memory still available: the machine's (MemAvailable, what os.freemem() reads on Linux), and
 * within a container the limit minus what the container already uses, whichever is smaller.
 */
export function availableMemoryBytes(read: ReadText = readText): number {
  const limit = readCgroupLimit(read)
  const used = limit != null ? readCgroupUsage(read) : null
  const inContainer = limit != null && used != null ? Math.max(0, limit - used) : Infinity
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

let lastOomCount: { at: number; count: number | null } | null = null

/** readOomKillCount(), or a reading at most OOM_COUNT_REUSE_MS old. */
export function recentOomKillCount(now = Date.now()): number | null {
  if (lastOomCount && now - lastOomCount.at <= OOM_COUNT_REUSE_MS) return lastOomCount.count
  lastOomCount = { at: now, count: readOomKillCount() }
  return lastOomCount.count
}
