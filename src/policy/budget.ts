// Which budget applies to a file: its own comment, then the first matching glob, then the global one.
import picomatch from 'picomatch'
import type { FileAnnotations } from './annotations.js'
import type { ResolvedMemoryOptions } from '../options.js'

export interface FileBudget {
  bytes: number
  source: string
}

export function budgetFor(
  relativeFile: string,
  annotations: FileAnnotations,
  options: Pick<ResolvedMemoryOptions, 'budgetBytes' | 'budgets'>,
): FileBudget | null {
  if (annotations.budgetBytes != null) return { bytes: annotations.budgetBytes, source: 'comment' }
  for (const { glob, bytes } of options.budgets) {
    if (picomatch(glob, { dot: true })(relativeFile)) return { bytes, source: `glob ${glob}` }
  }
  if (options.budgetBytes != null) return { bytes: options.budgetBytes, source: 'global' }
  return null
}

/** A file is judged on its tree peak: memory its subprocesses hold is memory the machine must have. */
export function isOverBudget(treePeakBytes: number | null, budget: FileBudget | null): boolean {
  return budget != null && treePeakBytes != null && treePeakBytes > budget.bytes
}
