// vm mode: the test processes run Vitest's own vm worker runtime (what `pool: 'vmForks'` runs) in
// place of its forks worker. The environment's library is loaded once per process and each `run`
// request gets a fresh vm context, so the pool hands a vm process one file per request (never a
// batch whole: files of one request would share one context) and measures each file at the
// request boundary, as for any shared process (isolate: false).
import { resolve } from 'node:path'

/** Vitest's pools that vm mode stands in for. */
export const VM_POOLS: ReadonlySet<string> = new Set(['vmForks', 'vmThreads'])

/** Vitest's vm worker for child processes; vmThreads's worker needs a worker thread, so vm mode always runs processes. */
export function vmWorkerEntry(distPath: string): string {
  return resolve(distPath, 'workers/vmForks.js')
}

/** What Vitest's VmForksPoolWorker adds to every vm process: ES modules in vm contexts. */
export const VM_EXEC_ARGV: readonly string[] = ['--experimental-vm-modules']

/** Whether the child's worker entry is one of Vitest's vm workers. */
export function isVmWorkerEntry(entry: string): boolean {
  return /[\\/]workers[\\/]vm(Forks|Threads)\.js$/.test(entry)
}
