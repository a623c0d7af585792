// Per-file settings written as comments in the test file itself: `// @memory-budget 2GB`.
import { readFileSync } from 'node:fs'
import { parseSize, SizeError } from '../size.js'
import { UsageError } from '../options.js'

export interface FileAnnotations {
  budgetBytes: number | null
}

const BUDGET_COMMENT = /^[ \t]*(?:\/\/|\/\*+|\*)[ \t]*@memory-budget[ \t]+([^\s*]+)/m

export function parseAnnotations(source: string, file: string): FileAnnotations {
  const budget = BUDGET_COMMENT.exec(source)?.[1]
  try {
    return { budgetBytes: budget ? parseSize(budget, `@memory-budget in ${file}`) : null }
  } catch (error) {
    if (error instanceof SizeError) throw new UsageError(error.message)
    throw error
  }
}

export function readAnnotations(file: string): FileAnnotations {
  let source: string
  try {
    source = readFileSync(file, 'utf8')
  } catch {
    return { budgetBytes: null }
  }
  return parseAnnotations(source, file)
}
