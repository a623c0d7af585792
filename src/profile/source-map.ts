// Turns a position in code as V8 ran it (after Vite's transform) back into the line the
// user wrote, with the module's source map. Pure apart from the lookup it is given.
import { decode, type SourceMapMappings } from '@jridgewell/sourcemap-codec'

export interface RawSourceMap {
  mappings: string
  sources?: (string | null)[]
}

/** 1-based original line of a 0-based generated position, or null when the map has none. */
export function originalLine(mappings: SourceMapMappings, line0: number, column0: number): number | null {
  const segments = mappings[line0]
  if (!segments?.length) return null
  // The last segment that starts at or before the column; else the line's first one.
  let found = segments.find(s => s.length >= 4) ?? null
  for (const segment of segments) {
    if (segment[0] > column0) break
    if (segment.length >= 4) found = segment
  }
  return found && found.length >= 4 ? found[2]! + 1 : null
}

/** Memoizes decoded maps by file; `lookup` returns a module's map, or null. */
export function createLineMapper(lookup: (file: string) => RawSourceMap | null) {
  const decoded = new Map<string, SourceMapMappings | null>()
  return (file: string, line0: number, column0: number): number | null => {
    if (!decoded.has(file)) {
      const map = lookup(file)
      decoded.set(file, map?.mappings ? decode(map.mappings) : null)
    }
    const mappings = decoded.get(file)
    return mappings ? originalLine(mappings, line0, column0) : null
  }
}

export type LineMapper = ReturnType<typeof createLineMapper>
