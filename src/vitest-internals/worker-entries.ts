// Vitest's worker entries in its dist folder: the forks worker and the vm worker (what
// `pool: 'vmForks'` runs), and the flag Vitest's VmForksPoolWorker adds to every vm process.
// Read by the pool (which entry a child imports) and by the child (which runtime it runs).
import { resolve } from 'node:path'

/** Vitest's forks worker: one file per process, or a shared process (isolate: false). */
export function forksWorkerEntry(distPath: string): string {
  return resolve(distPath, 'workers/forks.js')
}

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
