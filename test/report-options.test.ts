import { join } from 'node:path'
import { describe, expect, test } from 'vitest'
import { optionsFromEnv, resolveOptions, validateConfigOptions } from '../src/options.js'

describe('report options', () => {
  const root = '/project'

  test('defaults: no HTML, no Markdown, no comparison; 20% and 20 MB thresholds', () => {
    const o = resolveOptions({}, {}, {}, root)
    expect(o).toMatchObject({ htmlPath: null, markdownPath: null, compareTo: null, failOnIncrease: 0.2, minDeltaBytes: 20e6 })
  })

  test('html: true (or the bare flag) means .vitest-memory/report.html; a path is relative to the root', () => {
    expect(resolveOptions({ html: true }, {}, {}, root).htmlPath).toBe(join(root, '.vitest-memory/report.html'))
    expect(resolveOptions({ html: true }, {}, { html: 'out/page.html' }, root).htmlPath).toBe(join(root, 'out/page.html'))
    expect(resolveOptions({ html: 'x.html' }, {}, {}, root).htmlPath).toBe(join(root, 'x.html'))
  })

  test('environment: VITEST_MEMORY_HTML=1, a Markdown path and a base report', () => {
    const env = optionsFromEnv({ VITEST_MEMORY_HTML: '1', VITEST_MEMORY_MARKDOWN: 'm.md', VITEST_MEMORY_COMPARE_TO: 'base.json' })
    expect(env).toEqual({ html: true, markdown: 'm.md', compareTo: 'base.json' })
    expect(optionsFromEnv({ VITEST_MEMORY_HTML: 'r/page.html' }).html).toBe('r/page.html')
  })

  test.each([
    [{ failOnIncrease: '20' }, {}, 'Invalid memoryPool({ failOnIncrease }) "20": write a percentage greater than zero, e.g. "20%".'],
    [{}, { failOnIncrease: 'lots' }, 'Invalid --fail-on-increase "lots": write a percentage greater than zero'],
    [{}, { minDelta: '5' }, 'Invalid --min-delta "5": a bare number has no unit'],
  ])('bad thresholds are usage errors that name where they came from', (config, cli, message) => {
    expect(() => resolveOptions(config, {}, cli, root)).toThrow(message)
  })

  test('the new keys are known memoryPool() options', () => {
    expect(() => validateConfigOptions({ html: true, markdown: 'm.md', compareTo: 'b.json', failOnIncrease: '10%', minDelta: '5MB' })).not.toThrow()
  })
})
