// Reads a V8 sampling heap profile (.heapprofile, as written by `node --heap-prof`) into the
// allocation sites that hold the most sampled bytes. Pure: the JSON in, the top sites out.
import { readFileSync } from 'node:fs'
import { isAbsolute, relative } from 'node:path'
import { fileURLToPath } from 'node:url'
import type { AllocationSite } from '../model.js'

interface CallFrame {
  functionName: string
  url: string
  /** 0-based, as in the DevTools protocol. */
  lineNumber: number
  columnNumber: number
}

interface ProfileNode {
  callFrame: CallFrame
  selfSize: number
  id: number
  children?: ProfileNode[]
}

export interface HeapProfileJson {
  head: ProfileNode
  samples?: { size: number; nodeId: number }[]
}

export const TOP_SITES = 10

/** Maps a 0-based generated position in `file` to its 1-based original line, or null. */
export type MapLine = (file: string, line0: number, column0: number) => number | null

/**
 * The sites with the most self size, merged by function and location, heaviest first.
 * `mapLine` turns positions in transformed code (TypeScript compiled by Vite) back into source lines.
 */
export function topAllocationSites(profile: HeapProfileJson, limit = TOP_SITES, mapLine?: MapLine): AllocationSite[] {
  const sites = new Map<string, Omit<AllocationSite, 'share'>>()
  let total = 0
  const stack: ProfileNode[] = [profile.head]
  while (stack.length) {
    const node = stack.pop()!
    if (node.children) stack.push(...node.children)
    if (!node.selfSize) continue
    total += node.selfSize
    const { functionName, url, lineNumber, columnNumber } = node.callFrame
    const file = displayUrl(url)
    const known = lineNumber >= 0 && Boolean(url)
    const line = known ? (mapLine?.(file, lineNumber, columnNumber) ?? lineNumber + 1) : null
    const key = `${functionName}\0${file}\0${line}`
    const site = sites.get(key)
    if (site) site.bytes += node.selfSize
    else sites.set(key, { functionName: functionName || '(anonymous)', file, line, bytes: node.selfSize })
  }
  return [...sites.values()]
    .sort((a, b) => b.bytes - a.bytes || a.functionName.localeCompare(b.functionName) || a.file.localeCompare(b.file))
    .slice(0, limit)
    .map(site => ({ ...site, share: total ? site.bytes / total : 0 }))
}

function displayUrl(url: string): string {
  if (!url) return '(native)'
  if (url.startsWith('file://')) {
    try {
      return fileURLToPath(url)
    } catch {
      return url
    }
  }
  return url
}

export class HeapProfileError extends Error {}

export function readHeapProfile(path: string): HeapProfileJson {
  const parsed = JSON.parse(readFileSync(path, 'utf8')) as HeapProfileJson
  if (!parsed?.head?.callFrame) throw new HeapProfileError(`${path} is not a V8 heap profile (no "head" node)`)
  return parsed
}

/** Paths under the root are shown relative to it, like the report's file names. */
export function insideRoot(root: string, file: string): string {
  const posix = (path: string) => path.split('\\').join('/')
  if (!isAbsolute(file)) return file
  const inside = relative(root, file)
  return inside.startsWith('..') ? posix(file) : posix(inside)
}
