// The memory_intensive tag: its sources, the lanes, file-level tag filters (with Vitest's own
// expression parser), the comment editor and the options behind them.
import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { describe, expect, test } from 'vitest'
import type { Vitest } from 'vitest/node'
import { parseTagArgs } from '../src/cli/tag.js'
import { splitArgs } from '../src/cli/args.js'
import { optionsFromEnv, resolveOptions } from '../src/options.js'
import { addMemoryIntensiveTag, hasMemoryIntensiveTag, moduleTags, removeMemoryIntensiveTag } from '../src/policy/module-tag.js'
import { excludedAtFileLevel, laneSkipReason, memoryIntensiveSource, memoryIntensiveTag, type TagInputs } from '../src/policy/tags.js'
import { compileTagsFilter } from '../src/vitest-internals/runner-utils.js'
import { COMPAT_V5 } from './targets.js'

// Spelled in two parts: Vitest reads `// @module-` + `tag name` anywhere in a test file, strings included.
const MT = '@module-' + 'tag'

const inputs = (over: Partial<TagInputs> = {}): TagInputs => ({
  relativeFile: 'test/unit/a.test.ts',
  fileTags: [],
  globs: [],
  aboveBytes: null,
  lastMeasured: null,
  ...over,
})

describe('where a file gets memory_intensive', () => {
  test('its own @module-tag comment', () => {
    expect(memoryIntensiveSource(inputs({ fileTags: ['slow', 'memory_intensive'] }))).toBe('comment')
    expect(memoryIntensiveSource(inputs({ fileTags: ['slow'] }))).toBeNull()
  })

  test('the first matching glob, relative to the root', () => {
    expect(memoryIntensiveSource(inputs({ relativeFile: 'test/e2e/big.test.ts', globs: ['test/unit/**', 'test/e2e/**'] }))).toBe('glob test/e2e/**')
    expect(memoryIntensiveSource(inputs({ globs: ['test/e2e/**'] }))).toBeNull()
  })

  test('a last measured peak strictly above the threshold, with its size and date', () => {
    const lastMeasured = { peakBytes: 1.8e9, at: '2026-11-20T10:00:00.000Z' }
    expect(memoryIntensiveSource(inputs({ aboveBytes: 1e9, lastMeasured }))).toBe('history: 1.80 GB on 2026-11-20')
    expect(memoryIntensiveSource(inputs({ aboveBytes: 1.8e9, lastMeasured }))).toBeNull()
    expect(memoryIntensiveSource(inputs({ aboveBytes: null, lastMeasured }))).toBeNull()
    expect(memoryIntensiveSource(inputs({ aboveBytes: 1e9 }))).toBeNull()
  })

  test('the comment wins over a glob, a glob over the history', () => {
    const all = inputs({ fileTags: ['memory_intensive'], globs: ['**'], aboveBytes: 1, lastMeasured: { peakBytes: 2, at: '2026-11-20' } })
    expect(memoryIntensiveSource(all)).toBe('comment')
    expect(memoryIntensiveSource({ ...all, fileTags: [] })).toBe('glob **')
  })
})

describe('lanes', () => {
  test('the fast lane skips tagged files, the heavy lane skips the others, the default runs all', () => {
    expect(laneSkipReason('skip', 'comment')).toMatch(/--skip-memory-intensive/)
    expect(laneSkipReason('skip', null)).toBeNull()
    expect(laneSkipReason('only', null)).toMatch(/not memory_intensive.*--only-memory-intensive/)
    expect(laneSkipReason('only', 'glob x')).toBeNull()
    expect(laneSkipReason('run', 'comment')).toBeNull()
  })
})

/** What compileTagsFilter reads of a running Vitest: its version and dist directory. */
function installedVitest(packageDir: string): Vitest {
  const { version } = JSON.parse(readFileSync(join(packageDir, 'package.json'), 'utf8')) as { version: string }
  return { version, distPath: join(packageDir, 'dist') } as unknown as Vitest
}

// The parser comes from @vitest/runner in 4.x and from a chunk bundled into Vitest in 5.x: both are checked.
describe.each([
  ['4', installedVitest(join(import.meta.dirname, '../node_modules/vitest'))],
  ['5', installedVitest(join(COMPAT_V5, 'node_modules/vitest'))],
])("a --tags-filter that excludes the whole file (Vitest %s's own parser)", (major, vitest) => {
  const defined = [memoryIntensiveTag, { name: 'slow' }, { name: 'db' }]
  const compile = (expressions: string[], tags: typeof defined) => compileTagsFilter(vitest, expressions, tags)
  const filter = async (expression: string) => (await compile([expression], defined))!

  test('the Vitest under test is the expected major', () => {
    expect(vitest.version.split('.')[0]).toBe(major)
  })

  test('!memory_intensive excludes a tagged file, not an untagged one', async () => {
    const matches = await filter('!memory_intensive')
    expect(excludedAtFileLevel(matches, ['memory_intensive'], ['memory_intensive'])).toBe(true)
    expect(excludedAtFileLevel(matches, [], ['memory_intensive'])).toBe(false)
  })

  test('a filter a test-level tag could still satisfy does not exclude the file', async () => {
    // the file is untagged, but one of its tests may carry memory_intensive itself
    expect(excludedAtFileLevel(await filter('memory_intensive'), [], ['memory_intensive'])).toBe(false)
    expect(excludedAtFileLevel(await filter('memory_intensive && !slow'), ['slow'], ['memory_intensive', 'slow'])).toBe(true)
    expect(excludedAtFileLevel(await filter('not memory_intensive or db'), ['memory_intensive'], ['memory_intensive', 'db'])).toBe(false)
  })

  test('an expression Vitest rejects is left to Vitest to report', async () => {
    expect(await compile(['(memory_intensive'], defined)).toBeNull()
    expect(await compile(['undefined_tag'], defined)).toBeNull()
  })
})

describe('the @module-tag comment', () => {
  test('is found where Vitest finds it: a line comment or a docblock line', () => {
    expect(moduleTags(`// ${MT} memory_intensive\n/**\n * ${MT} slow\n */\n`)).toEqual(['memory_intensive', 'slow'])
    expect(hasMemoryIntensiveTag(`// ${MT} memory_intensive_not\n`)).toBe(false)
  })

  test('is added first, after a shebang, keeping docblocks and line endings; twice is once', () => {
    const source = '#!/usr/bin/env node\r\n/**\r\n * @vitest-environment node\r\n */\r\ntest()\r\n'
    const once = addMemoryIntensiveTag(source)
    expect(once).toBe(`#!/usr/bin/env node\r\n// ${MT} memory_intensive\r\n/**\r\n * @vitest-environment node\r\n */\r\ntest()\r\n`)
    expect(addMemoryIntensiveTag(once)).toBe(once)
    expect(addMemoryIntensiveTag('test()\n')).toBe(`// ${MT} memory_intensive\ntest()\n`)
    expect(addMemoryIntensiveTag(`/**\n * ${MT} memory_intensive\n */\n`)).toBe(`/**\n * ${MT} memory_intensive\n */\n`)
  })

  test('is removed line by line, leaving the rest of a docblock intact', () => {
    expect(removeMemoryIntensiveTag(addMemoryIntensiveTag('#!/bin/sh\ntest()\n'))).toEqual({ source: '#!/bin/sh\ntest()\n', kept: false })
    expect(removeMemoryIntensiveTag(`/**\n * ${MT} memory_intensive\n * ${MT} slow\n */\nx\n`).source).toBe(`/**\n * ${MT} slow\n */\nx\n`)
    expect(removeMemoryIntensiveTag(`/* ${MT} memory_intensive */\nx\n`).source).toBe('x\n')
  })

  test('a tag that shares its line with code is kept and said so', () => {
    expect(removeMemoryIntensiveTag(`test() // ${MT} memory_intensive\n`)).toEqual({ source: `test() // ${MT} memory_intensive\n`, kept: true })
  })
})

describe('options', () => {
  test('flags, environment and config resolve into globs, a threshold and a lane', () => {
    const resolved = resolveOptions(
      { memoryIntensive: ['test/e2e/**'], memoryIntensiveAbove: '2GB' },
      optionsFromEnv({ VITEST_MEMORY_SKIP_INTENSIVE: '1' }),
      {},
      '/root',
    )
    expect(resolved).toMatchObject({ memoryIntensiveGlobs: ['test/e2e/**'], memoryIntensiveAboveBytes: 2e9, memoryIntensiveMode: 'skip' })
    const flagged = resolveOptions(
      {},
      optionsFromEnv({ VITEST_MEMORY_SKIP_INTENSIVE: '1' }),
      splitArgs(['--only-memory-intensive', '--memory-intensive-above', '1GB']).options,
      '/root',
    )
    expect(flagged).toMatchObject({ memoryIntensiveMode: 'only', memoryIntensiveAboveBytes: 1e9 })
    expect(resolveOptions({}, {}, {}, '/root')).toMatchObject({ memoryIntensiveGlobs: [], memoryIntensiveAboveBytes: null, memoryIntensiveMode: 'run' })
  })

  test.each([
    [() => splitArgs(['--skip-memory-intensive', '--only-memory-intensive']), /exclude each other: give one/],
    [() => optionsFromEnv({ VITEST_MEMORY_SKIP_INTENSIVE: '1', VITEST_MEMORY_ONLY_INTENSIVE: '1' }), /both set: set one/],
    [() => optionsFromEnv({ VITEST_MEMORY_SKIP_INTENSIVE: 'maybe' }), /Invalid VITEST_MEMORY_SKIP_INTENSIVE "maybe": use 1, true, yes or on to turn it on/],
    [() => resolveOptions({}, {}, splitArgs(['--memory-intensive-above', '2']).options, '/'), /Invalid --memory-intensive-above "2": a bare number/],
    [() => resolveOptions({ memoryIntensive: 'test/e2e/**' as never }, {}, {}, '/'), /memoryIntensive.*list of globs/],
    [() => parseTagArgs([], '/'), /needs --above SIZE .* or --remove-below SIZE/],
    [() => parseTagArgs(['--above', 'big'], '/'), /Invalid --above "big"/],
    [() => parseTagArgs(['--above', '1GB', '--remove-below', '2GB'], '/'), /use a smaller --remove-below/],
    [() => parseTagArgs(['--above'], '/'), /--above needs a value/],
    [() => parseTagArgs(['--abov', '1GB'], '/'), /Unknown argument "--abov"/],
  ])('bad input is one line that says what to write (%#)', (call, message) => {
    expect(call).toThrow(message)
    try {
      call()
    } catch (error) {
      expect((error as Error).message.split('\n')).toHaveLength(1)
    }
  })
})
