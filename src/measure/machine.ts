// Facts about the machine a run happened on: total memory and the container's memory limit.
import { readFileSync } from 'node:fs'
import { availableParallelism, totalmem } from 'node:os'

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

export function machineInfo() {
  return { totalMemoryBytes: totalmem(), cgroupLimitBytes: readCgroupLimit(), cpus: availableParallelism() }
}
