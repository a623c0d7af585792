// A report or a history holds one entry per (project, file). A file from a cache or a hand merge
// may repeat one, and then every reader would pick its own (the first, the last): a comparison
// read +200% as -100% depending on order. Every reader asks this one function instead: a report
// with a repeated file is refused, a history's repeats are merged (their runs are one file's).
import { printable } from './display-path.js'

export interface Duplicate {
  /** Where the repeat is, and where the entry it repeats is. */
  index: number
  firstIndex: number
  project: string
  file: string
}

/** The repeats among `items`, in order: each names the first entry with the same (project, file). */
export function findDuplicates(items: readonly { project: string; file: string }[]): Duplicate[] {
  const first = new Map<string, number>()
  const repeats: Duplicate[] = []
  items.forEach((item, index) => {
    const key = `${item.project}\0${item.file}`
    const seen = first.get(key)
    if (seen === undefined) first.set(key, index)
    else repeats.push({ index, firstIndex: seen, project: item.project, file: item.file })
  })
  return repeats
}

/** "entries[4] repeats entries[1] (test/a.test.ts)" for one line of ours. */
export function duplicateText(list: string, duplicate: Duplicate): string {
  const name = duplicate.project ? `[${duplicate.project}] ${duplicate.file}` : duplicate.file
  return `${list}[${duplicate.index}] repeats ${list}[${duplicate.firstIndex}] (${printable(name, 120)})`
}
