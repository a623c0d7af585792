// The closest size wins: the file's own comment, then the first matching glob, then the global one.
// Budgets and hard limits are both chosen this way.
import picomatch from 'picomatch'

export interface FileSize {
  bytes: number
  /** "comment", "glob <pattern>" or "global". */
  source: string
}

export function closestSize(
  relativeFile: string,
  commentBytes: number | null,
  globs: { glob: string; bytes: number }[],
  globalBytes: number | null,
): FileSize | null {
  if (commentBytes != null) return { bytes: commentBytes, source: 'comment' }
  for (const { glob, bytes } of globs) {
    if (picomatch(glob, { dot: true })(relativeFile)) return { bytes, source: `glob ${glob}` }
  }
  if (globalBytes != null) return { bytes: globalBytes, source: 'global' }
  return null
}
