// The hard limit's precedence (same as budgets), its comment, and its option sources.
import { describe, expect, test } from 'vitest'
import { resolveOptions, UsageError } from '../src/options.js'
import { mkdtempSync, utimesSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { parseAnnotations, readAnnotations } from '../src/policy/annotations.js'
import { budgetFor } from '../src/policy/budget.js'
import { isOverLimit, LIMIT_SAMPLE_INTERVAL_MS, limitFor, nextSampleIntervalMs } from '../src/policy/limit.js'

const MB = 1024 * 1024

describe('limitFor', () => {
  const options = { limitBytes: 2e9, limits: [{ glob: 'e2e/**', bytes: 4e9 }] }

  test("the file's comment, then the first matching glob, then the global limit", () => {
    expect(limitFor('e2e/a.test.ts', { budgetBytes: null, limitBytes: 1e9 }, options)).toEqual({ bytes: 1e9, source: 'comment' })
    expect(limitFor('e2e/a.test.ts', { budgetBytes: null, limitBytes: null }, options)).toEqual({ bytes: 4e9, source: 'glob e2e/**' })
    expect(limitFor('unit/a.test.ts', { budgetBytes: null, limitBytes: null }, options)).toEqual({ bytes: 2e9, source: 'global' })
    expect(limitFor('a.test.ts', { budgetBytes: null, limitBytes: null }, { limitBytes: null, limits: [] })).toBeNull()
  })

  test('budgets and limits are independent', () => {
    const annotations = parseAnnotations('// @memory-budget 1GB\n// @memory-limit 3GB\n', 'x.test.ts')
    expect(annotations).toEqual({ budgetBytes: 1e9, limitBytes: 3e9 })
    expect(budgetFor('x.test.ts', annotations, { budgetBytes: null, budgets: [] })).toEqual({ bytes: 1e9, source: 'comment' })
    expect(limitFor('x.test.ts', annotations, options)).toEqual({ bytes: 3e9, source: 'comment' })
  })

  test('under a limit the tree is sampled fast while it grows or is near the limit, at the base pace while flat and far below', () => {
    const limit = { bytes: 400 * MB, source: 'global' as const }
    const at = (ms: number, mb: number) => ({ at: ms, treeRssBytes: mb * MB })
    expect(nextSampleIntervalMs(null, 50, at(50, 100), at(0, 60))).toBe(50) // no limit: the base pace, growing or not
    expect(nextSampleIntervalMs(limit, 50, null, null)).toBe(LIMIT_SAMPLE_INTERVAL_MS) // the file's start: fast
    expect(nextSampleIntervalMs(limit, 50, at(60, 61), null)).toBe(LIMIT_SAMPLE_INTERVAL_MS) // one sample tells no rate
    expect(nextSampleIntervalMs(limit, 50, at(60, 70), at(50, 60))).toBe(LIMIT_SAMPLE_INTERVAL_MS) // 1 GB/s
    expect(nextSampleIntervalMs(limit, 50, at(100, 60.2), at(50, 60))).toBe(50) // flat, far below
    expect(nextSampleIntervalMs(limit, 50, at(100, 250), at(50, 250))).toBe(LIMIT_SAMPLE_INTERVAL_MS) // flat but past half the limit
    expect(nextSampleIntervalMs(limit, 5, at(100, 60), at(50, 60))).toBe(5) // a faster base pace is kept
  })

  test('over the limit means strictly above it', () => {
    expect(isOverLimit(2e9, { bytes: 2e9, source: 'global' })).toBe(false)
    expect(isOverLimit(2e9 + 1, { bytes: 2e9, source: 'global' })).toBe(true)
    expect(isOverLimit(9e9, null)).toBe(false)
  })

  test("a file's comments are read again once it changed (watch mode), and not while it did not", () => {
    const file = join(mkdtempSync(join(tmpdir(), 'vm-annotations-')), 'a.test.ts')
    writeFileSync(file, '// @memory-limit 1GB\n')
    expect(readAnnotations(file).limitBytes).toBe(1e9)
    expect(readAnnotations(file)).toBe(readAnnotations(file)) // the same parse, not a new one
    writeFileSync(file, '// @memory-limit 2GB\n') // same size: told apart by its mtime
    utimesSync(file, new Date(), new Date(Date.now() + 5000))
    expect(readAnnotations(file).limitBytes).toBe(2e9)
    writeFileSync(file, '// @memory-limit 30GB\n')
    expect(readAnnotations(file).limitBytes).toBe(30e9)
    expect(readAnnotations(join(file, '..', 'missing.test.ts'))).toEqual({ budgetBytes: null, limitBytes: null })
  })

  test('a malformed @memory-limit comment is a usage error naming the file', () => {
    expect(() => parseAnnotations(' * @memory-limit 12XB', 'big.test.ts')).toThrowError(UsageError)
    expect(() => parseAnnotations(' * @memory-limit 12XB', 'big.test.ts')).toThrowError(/@memory-limit in big\.test\.ts/)
  })
})

describe('limit and journal options', () => {
  test('flag > env > config, and the error names where a bad value came from', () => {
    expect(resolveOptions({ memoryLimit: '1GB' }, { memoryLimit: '2GB' }, { memoryLimit: '3GB' }, '/r').limitBytes).toBe(3e9)
    expect(resolveOptions({ memoryLimit: '1GB' }, { memoryLimit: '2GB' }, {}, '/r').limitBytes).toBe(2e9)
    expect(() => resolveOptions({}, {}, { memoryLimit: '2' }, '/r')).toThrowError(/Invalid --memory-limit "2"/)
    expect(() => resolveOptions({}, { memoryLimit: 'lots' }, {}, '/r')).toThrowError(/Invalid VITEST_MEMORY_LIMIT "lots"/)
    expect(() => resolveOptions({ limits: { 'e2e/**': '0MB' } }, {}, {}, '/r')).toThrowError(/limit for "e2e\/\*\*"/)
  })

  test('the journal defaults to .vitest-memory/journal.jsonl under the root; false keeps none', () => {
    expect(resolveOptions({}, {}, {}, '/r').journalPath).toBe('/r/.vitest-memory/journal.jsonl')
    expect(resolveOptions({ journal: 'j.jsonl' }, {}, {}, '/r').journalPath).toBe('/r/j.jsonl')
    expect(resolveOptions({}, {}, { journal: false }, '/r').journalPath).toBeNull()
  })
})
