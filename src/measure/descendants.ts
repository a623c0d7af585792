// Every descendant of a process: the test file's subprocesses, which count in its tree peak and
// die with it. Its own module because it combines the two ways of finding them (procfs's
// children files, else the incremental process table), each of which reads /proc on its own.
import { existsSync, readdirSync, readFileSync } from 'node:fs'
import { processTable } from './process-table.js'

let childrenFilesAvailable: boolean | undefined

/**
 * How often a sampled root's threads are all read again. In between only its main thread's
 * children file is read: Node spawns a subprocess from the JS thread that asks for it, almost
 * always the main one; a subprocess a worker thread starts is found within this delay.
 */
export const THREAD_RESCAN_MS = 500

/**
 * What one sampler remembers of its root between samples: when all its threads were last read,
 * and the children found on threads other than the main one. One per sampler, never shared.
 */
export class ThreadScan {
  at = -Infinity
  viaOtherThreads: number[] = []
}

/**
 * All descendants of `root`, read from /proc/<pid>/task/<tid>/children (one small read per thread
 * instead of one per process on the machine). With a `scan` (a sampler, every few ms) the root's
 * other threads are read only every THREAD_RESCAN_MS; without one (killing a tree) every thread
 * is read. Falls back to a process table kept up to date from /proc on kernels built without
 * CONFIG_PROC_CHILDREN.
 */
export function listDescendants(root: number, scan?: ThreadScan, now = Date.now()): number[] {
  childrenFilesAvailable ??= existsSync(`/proc/${process.pid}/task/${process.pid}/children`)
  if (!childrenFilesAvailable) return processTable().refreshed().descendantsOf(root)
  const found: number[] = []
  const stack = [root]
  while (stack.length) {
    const pid = stack.pop()!
    const children = pid === root && scan ? rootChildren(root, scan, now) : threadChildren(pid, null)
    for (const child of children) {
      found.push(child)
      stack.push(child)
    }
  }
  return found
}

function rootChildren(root: number, scan: ThreadScan, now: number): number[] {
  if (now - scan.at >= THREAD_RESCAN_MS) {
    scan.at = now
    scan.viaOtherThreads = threadChildren(root, root)
  }
  return [...readChildren(root, root), ...scan.viaOtherThreads]
}

/** The children of every thread of `pid`, but `skipTid`'s. */
function threadChildren(pid: number, skipTid: number | null): number[] {
  let threads: string[]
  try {
    threads = readdirSync(`/proc/${pid}/task`)
  } catch {
    return []
  }
  const children: number[] = []
  for (const tid of threads) {
    if (Number(tid) !== skipTid) children.push(...readChildren(pid, Number(tid)))
  }
  return children
}

function readChildren(pid: number, tid: number): number[] {
  let text: string
  try {
    text = readFileSync(`/proc/${pid}/task/${tid}/children`, 'utf8')
  } catch {
    return []
  }
  const children: number[] = []
  for (const child of text.split(' ')) if (child.trim()) children.push(Number(child))
  return children
}
