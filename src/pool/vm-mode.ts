// vm mode: the test processes run Vitest's own vm worker runtime (what `pool: 'vmForks'` runs) in
// place of its forks worker. The environment's library is loaded once per process and each `run`
// request gets a fresh vm context, so the pool hands a vm process one file per request (never a
// batch whole: files of one request would share one context) and measures each file at the
// request boundary, as for any shared process (isolate: false). One difference: Vitest lets go
// of the previous file's context only while it sets up the next one, so a vm file's measurement
// starts at its first setup file (the vm boundary), not when its request arrives.

/** Vitest's pools that vm mode stands in for. */
export const VM_POOLS: ReadonlySet<string> = new Set(['vmForks', 'vmThreads'])

// Vitest's vm worker entry and its flag: ../vitest-internals/worker-entries.ts.

const BOUNDARY_KEY = Symbol.for('vitest-memory.vm-boundary')

/** In the child: what runs at each vm file's first setup file (kept on `process`, which every context sees). */
export function installVmBoundary(boundary: () => void): void {
  ;(process as unknown as Record<symbol, unknown>)[BOUNDARY_KEY] = boundary
}

/** In a file's vm context (the pool's setup file): the vm boundary, when this is a vm process. */
export function vmBoundary(): void {
  const boundary = (process as unknown as Record<symbol, unknown>)[BOUNDARY_KEY]
  if (typeof boundary === 'function') boundary()
}
