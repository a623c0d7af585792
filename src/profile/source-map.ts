// Turns a position in code as V8 ran it (after Vite's transform) back into the line the
// user wrote, with the module's source map, through @jridgewell/trace-mapping (Vitest's own
// source-map reader). Pure apart from the lookup it is given.
import { LEAST_UPPER_BOUND, originalPositionFor, TraceMap } from '@jridgewell/trace-mapping'

export interface RawSourceMap {
  mappings: string
  sources?: (string | null)[]
}

/**
 * 1-based original line of a 0-based generated position, or null when the map has none: the
 * segment that starts at or before the column, else (a column before the line's first segment)
 * the line's first one.
 */
export function originalLine(map: TraceMap, line0: number, column0: number): number | null {
  // V8 gives -1 for a frame without a column (Node 22 does for some); the map wants 0 or more.
  const needle = { line: line0 + 1, column: Math.max(0, column0) }
  return originalPositionFor(map, needle).line ?? originalPositionFor(map, { ...needle, bias: LEAST_UPPER_BOUND }).line ?? null
}

/** A map of Vite's transform: only its mappings are needed for lines (sources are the module). */
function traceMap(map: RawSourceMap): TraceMap | null {
  try {
    return new TraceMap({ version: 3, names: [], sources: map.sources ?? [], mappings: map.mappings })
  } catch {
    return null // a malformed map maps nothing
  }
}

/** Memoizes parsed maps by file; `lookup` returns a module's map, or null. */
export function createLineMapper(lookup: (file: string) => RawSourceMap | null) {
  const parsed = new Map<string, TraceMap | null>()
  return (file: string, line0: number, column0: number): number | null => {
    if (!parsed.has(file)) {
      const map = lookup(file)
      parsed.set(file, map?.mappings ? traceMap(map) : null)
    }
    const map = parsed.get(file)
    return map ? originalLine(map, line0, column0) : null
  }
}

export type LineMapper = ReturnType<typeof createLineMapper>
