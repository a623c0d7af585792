// Per-file settings written as comments in the test file itself: `// @memory-budget 2GB`,
// `// @memory-limit 4GB`.
import { readFileSync } from 'node:fs'
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

export function readAnnotations(file: string): FileAnnotations {
  let source: string
  try {
    source = readFileSync(file, 'utf8')
  } catch {
    return { budgetBytes: null, limitBytes: null }
  }
  return parseAnnotations(source, file)
}
