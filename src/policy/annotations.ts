// Per-file settings written as comments in the test file itself: `// @memory-budget 2GB`,
// `// @memory-limit 4GB`.
import { readFileSync, statSync } from 'node:fs'
import { parseSize, SizeError } from '../size.js'
import { UsageError } from '../errors.js'

export interface FileAnnotations {
  budgetBytes: number | null
  limitBytes: number | null
}

const comment = (name: string) => new RegExp(`^[ \\t]*(?:\\/\\/|\\/\\*+|\\*)[ \\t]*@${name}[ \\t]+([^\\s*]+)`, 'm')
const BUDGET_COMMENT = comment('memory-budget')
const LIMIT_COMMENT = comment('memory-limit')

export function parseAnnotations(source: string, file: string): FileAnnotations {
  const size = (pattern: RegExp, name: string) => {
    const value = pattern.exec(source)?.[1]
    return value ? parseSize(value, `@${name} in ${file}`) : null
  }
  try {
    return { budgetBytes: size(BUDGET_COMMENT, 'memory-budget'), limitBytes: size(LIMIT_COMMENT, 'memory-limit') }
  } catch (error) {
    if (error instanceof SizeError) throw new UsageError(error.message)
    throw error
  }
}

/**
 * What each file's comments said, by path, with the size and mtime it was read at: the gate and
 * the file's start both ask, and a watch-mode rerun of an unchanged file asks again; one stat
 * instead of reading and searching the whole source each time.
 */
const parsed = new Map<string, { mtimeMs: number; size: number; annotations: FileAnnotations }>()

/** `shown`: how errors name the file (its path relative to the root). */
export function readAnnotations(file: string, shown = file): FileAnnotations {
  let source: string
  let version: { mtimeMs: number; size: number }
  try {
    const stat = statSync(file)
    version = { mtimeMs: stat.mtimeMs, size: stat.size }
    const known = parsed.get(file)
    if (known && known.mtimeMs === version.mtimeMs && known.size === version.size) return known.annotations
    source = readFileSync(file, 'utf8')
  } catch {
    return { budgetBytes: null, limitBytes: null }
  }
  const annotations = parseAnnotations(source, shown)
  parsed.set(file, { ...version, annotations })
  return annotations
}
