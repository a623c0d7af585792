import { describe, expect, test } from 'vitest'
import { topAllocationSites, type HeapProfileJson } from '../src/profile/heap-profile.js'
import { createLineMapper, originalLine } from '../src/profile/source-map.js'
import { encode } from '@jridgewell/sourcemap-codec'

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
    // generated line 0: col 0 → source line 2, col 10 → source line 5
    const mappings = [[[0, 0, 2, 0], [10, 0, 5, 0]], [], [[4, 0, 9, 2]]] as ReturnType<typeof import('@jridgewell/sourcemap-codec').decode>
    expect(originalLine(mappings, 0, 3)).toBe(3)
    expect(originalLine(mappings, 0, 12)).toBe(6)
    expect(originalLine(mappings, 1, 0)).toBeNull()
    expect(originalLine(mappings, 2, 0)).toBe(10)
    const mapper = createLineMapper(file => (file === 'a.ts' ? { mappings: encode(mappings) } : null))
    expect(mapper('a.ts', 0, 12)).toBe(6)
    expect(mapper('b.ts', 0, 0)).toBeNull()
  })
})
