import { describe, expect, test } from 'vitest'
import { topAllocationSites, type HeapProfileJson } from '../src/profile/heap-profile.js'
import { createLineMapper, originalLine } from '../src/profile/source-map.js'
import { TraceMap } from '@jridgewell/trace-mapping'

let nextId = 1
function node(functionName: string, url: string, lineNumber: number, selfSize: number, children: HeapProfileJson['head'][] = []): HeapProfileJson['head'] {
  return { callFrame: { functionName, url, lineNumber, columnNumber: 0 }, selfSize, id: nextId++, children }
}

describe('topAllocationSites', () => {
  const profile: HeapProfileJson = {
    head: node('(root)', '', -1, 0, [
      node('runTest', 'file:///repo/test/a.test.ts', 10, 1000, [
        node('parseCatalog', 'file:///repo/src/catalog.ts', 87, 6000),
        node('', 'file:///repo/src/util.ts', 3, 500),
      ]),
      // the same function reached through another path: merged
      node('parseCatalog', 'file:///repo/src/catalog.ts', 87, 2000),
      node('decode', 'node:internal/encoding', 439, 500),
    ]),
  }

  test('merges a function reached by several paths and sorts by bytes, with shares', () => {
    const sites = topAllocationSites(profile)
    expect(sites[0]).toEqual({ functionName: 'parseCatalog', file: '/repo/src/catalog.ts', line: 88, bytes: 8000, share: 0.8 })
    expect(sites.map(s => s.functionName)).toEqual(['parseCatalog', 'runTest', '(anonymous)', 'decode'])
    expect(sites.find(s => s.functionName === 'decode')).toMatchObject({ file: 'node:internal/encoding', line: 440 })
    expect(topAllocationSites(profile, 2)).toHaveLength(2)
  })

  test('lines of transformed code are mapped back through the source map', () => {
    const sites = topAllocationSites(profile, 10, (file, line0) => (file === '/repo/src/catalog.ts' && line0 === 87 ? 120 : null))
    expect(sites[0].line).toBe(120)
    expect(sites[1].line).toBe(11)
  })
})

describe('source maps', () => {
  test('a generated position maps to the original line of the segment covering it', () => {
    // generated line 0: col 0 → source line 2, col 10 → source line 5; line 2: col 4 → source line 9
    const mappings = 'AAEA,UAGA;;IAIE'
    const map = new TraceMap({ version: 3, names: [], sources: ['a.ts'], mappings })
    expect(originalLine(map, 0, 3)).toBe(3)
    expect(originalLine(map, 0, 12)).toBe(6)
    expect(originalLine(map, 1, 0)).toBeNull()
    // before the line's first segment: that segment's line
    expect(originalLine(map, 2, 0)).toBe(10)
    const mapper = createLineMapper(file => (file === 'a.ts' ? { mappings } : null))
    expect(mapper('a.ts', 0, 12)).toBe(6)
    expect(mapper('b.ts', 0, 0)).toBeNull()
  })

  test('a frame V8 gives without a column (-1, as Node 22 does for some) maps like column 0', () => {
    const map = new TraceMap({ version: 3, names: [], sources: ['a.ts'], mappings: 'AAEA,UAGA;;IAIE' })
    expect(originalLine(map, 0, -1)).toBe(3)
    expect(originalLine(map, 2, -1)).toBe(10)
  })
})
