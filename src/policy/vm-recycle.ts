// vm mode: when a vm process is replaced between files. Vitest's own vm pools recycle a worker
// whose `heapUsed` passed `vmMemoryLimit` (default: total memory / maxWorkers); heapUsed misses
// what a context keeps outside V8's heap (Buffers, jsdom's native parts), so here the same limit
// is read against the process's RSS after the file's forced GC: RSS includes the heap, so a
// process is replaced no later than Vitest would replace it. `recycleAbove` (flag, env, config)
// wins over `vmMemoryLimit`. A pure decision; the pool does the restart.

/** What Vitest's `vmMemoryLimit` means in bytes, read the way Vitest reads it (stringToBytes). */
export function vmMemoryLimitBytes(limit: unknown, totalMemoryBytes: number, maxWorkers: number): number | null {
  // Vitest's default: an equal share of total memory per worker.
  if (limit == null || limit === '' || limit === 0) return Math.floor(totalMemoryBytes / Math.max(1, maxWorkers))
  let value: number
  if (typeof limit === 'number') value = limit
  else if (typeof limit === 'string') {
    const match = /^\s*(\d+(?:\.\d+)?)\s*([a-z%]*)\s*$/i.exec(limit)
    if (!match) return null
    const n = Number(match[1])
    const unit = match[2]!.toLowerCase()
    const units: Record<string, number> = { k: 1e3, kb: 1e3, kib: 1024, m: 1e6, mb: 1e6, mib: 1024 ** 2, g: 1e9, gb: 1e9, gib: 1024 ** 3 }
    if (unit === '%') value = n / 100
    else if (unit === '') value = n
    else if (units[unit]) return Math.floor(n * units[unit])
    else return null
  } else return null
  // Vitest: a number in (0, 1] is a share of total memory, above 1 a count of bytes.
  if (value > 0 && value <= 1) return Math.floor(value * totalMemoryBytes)
  return value > 1 ? Math.floor(value) : null
}

/** The RSS above which a vm process is replaced after a file: recycleAbove when set, else vmMemoryLimit. */
export function vmRecycleThreshold(recycleAboveBytes: number | null, vmMemoryLimit: unknown, totalMemoryBytes: number, maxWorkers: number): number | null {
  return recycleAboveBytes ?? vmMemoryLimitBytes(vmMemoryLimit, totalMemoryBytes, maxWorkers)
}
