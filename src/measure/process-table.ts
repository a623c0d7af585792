// Who is whose parent, kept up to date cheaply: each refresh lists /proc and reads the stat file
// of new pids only. A pid's parent is remembered from when it was first seen, and a dead parent is
// kept while a live process names it, so a subprocess whose parent died (and that the kernel
// re-parented to init) still counts for the file that started it.
import { readdirSync } from 'node:fs'
import { readParentPid } from './procfs.js'

/** Refreshes closer together than this reuse the last listing (several samplers share one table). */
const REUSE_MS = 10

export class ProcessTable {
  private readonly parents = new Map<number, number>()
  private alive = new Set<number>()
  private refreshedAt = 0

  /** Refreshes the table and returns it. */
  refreshed(): this {
    this.refresh()
    return this
  }

  refresh(): void {
    const now = Date.now()
    if (now - this.refreshedAt < REUSE_MS) return
    this.refreshedAt = now
    let entries: string[]
    try {
      entries = readdirSync('/proc')
    } catch {
      return
    }
    const alive = new Set<number>()
    for (const entry of entries) {
      const first = entry.charCodeAt(0)
      if (first < 48 || first > 57) continue
      const pid = Number(entry)
      alive.add(pid)
      if (!this.parents.has(pid)) {
        const ppid = readParentPid(pid)
        if (ppid !== null) this.parents.set(pid, ppid)
      }
    }
    this.alive = alive
    this.forgetDead(alive)
  }

  /**
   * Drops processes that are gone, except those still named as the parent of a live one: the
   * link from a re-parented grandchild back to the file's process runs through them.
   */
  private forgetDead(alive: Set<number>): void {
    let removed = true
    while (removed) {
      removed = false
      const referenced = new Set(this.parents.values())
      for (const pid of this.parents.keys()) {
        if (alive.has(pid) || referenced.has(pid)) continue
        this.parents.delete(pid)
        removed = true
      }
    }
  }

  /** Live descendants of `root` (children, grandchildren, …), also through parents that died. */
  descendantsOf(root: number): number[] {
    const children = new Map<number, number[]>()
    for (const [pid, ppid] of this.parents) {
      const list = children.get(ppid)
      if (list) list.push(pid)
      else children.set(ppid, [pid])
    }
    const found: number[] = []
    const stack = [...(children.get(root) ?? [])]
    while (stack.length) {
      const pid = stack.pop()!
      if (this.alive.has(pid)) found.push(pid)
      stack.push(...(children.get(pid) ?? []))
    }
    return found
  }
}

let shared: ProcessTable | undefined

/** One table for the whole runner: every sampler refreshes and reads the same one. */
export function processTable(): ProcessTable {
  shared ??= new ProcessTable()
  return shared
}
