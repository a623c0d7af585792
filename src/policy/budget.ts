// Which budget applies to a file: its own comment, then the first matching glob, then the global one.
import type { FileAnnotations } from './annotations.js'
import { closestSize, type FileSize } from './per-file.js'
import type { ResolvedMemoryOptions } from '../options.js'

export type FileBudget = FileSize

export function budgetFor(
  relativeFile: string,
  annotations: FileAnnotations,
  options: Pick<ResolvedMemoryOptions, 'budgetBytes' | 'budgets'>,
): FileBudget | null {
  return closestSize(relativeFile, annotations.budgetBytes, options.budgets, options.budgetBytes)
}
