// Every descendant of a process: the test file's subprocesses, which count in its tree peak and
// die with it. Its own module because it combines the two ways of finding them (procfs's
// children files, else the incremental process table), each of which reads /proc on its own.
import { existsSync, readdirSync, readFileSync } from 'node:fs'
import { processTable } from './process-table.js'

let childrenFilesAvailable: boolean | undefined

/**
 * All descendants of `root`, read from /proc/<pid>/task/<tid>/children (one small read per thread
 * instead of one per process on the machine: cheap enough to run every 10 ms). Falls back to a
 * process table kept up to date from /proc on kernels built without CONFIG_PROC_CHILDREN.
 */
export function listDescendants(root: number): number[] {
  childrenFilesAvailable ??= existsSync(`/proc/${process.pid}/task/${process.pid}/children`)
  if (!childrenFilesAvailable) return processTable().refreshed().descendantsOf(root)
  const found: number[] = []
  const stack = [root]
  while (stack.length) {
    const pid = stack.pop()!
    let threads: string[]
    try {
      threads = readdirSync(`/proc/${pid}/task`)
    } catch {
      continue
    }
    for (const tid of threads) {
      let text: string
      try {
        text = readFileSync(`/proc/${pid}/task/${tid}/children`, 'utf8')
      } catch {
        continue
      }
      for (const child of text.split(' ')) {
        if (!child.trim()) continue
        found.push(Number(child))
        stack.push(Number(child))
      }
    }
  }
  return found
}
