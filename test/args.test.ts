import { describe, expect, test } from 'vitest'
import { helpText, splitArgs } from '../src/cli/args.js'

describe('splitArgs', () => {
  test('keeps every argument it does not own for Vitest, in order', () => {
    const { options, vitestArgs } = splitArgs(['run', 'math', '--memory-budget', '512MB', '-t', 'adds', '--reporter=verbose', '--project', 'unit'])
    expect(options).toEqual({ budget: '512MB' })
    expect(vitestArgs).toEqual(['run', 'math', '-t', 'adds', '--reporter=verbose', '--project', 'unit'])
  })

  test('accepts --flag=value and boolean flags', () => {
    const { options } = splitArgs(['--memory-budget=1GB', '--memory-budget-warn', '--memory-report', 'out/r.json'])
    expect(options).toEqual({ budget: '1GB', budgetMode: 'warn', report: 'out/r.json' })
  })

  test('passes Vitest\'s own memory flag through', () => {
    expect(splitArgs(['--vmMemoryLimit', '300MB']).vitestArgs).toEqual(['--vmMemoryLimit', '300MB'])
  })

  test('everything after -- belongs to Vitest', () => {
    expect(splitArgs(['--', '--memory-budget', '1GB']).vitestArgs).toEqual(['--', '--memory-budget', '1GB'])
  })

  test.each([
    [['--memory-budjet', '1GB'], /Unknown option --memory-budjet: did you mean --memory-budget\?/],
    [['--memory-warn'], /Unknown option --memory-warn: did you mean/],
    [['--memory-budget'], /--memory-budget needs a value: write "--memory-budget SIZE"/],
    [['--memory-budget', '--reporter=dot'], /needs a value/],
    [['--memory-budget-warn=yes'], /takes no value/],
  ])('%j is a usage error that says what to write', (argv, message) => {
    expect(() => splitArgs(argv)).toThrow(message)
  })

  test('--detect-leaks and --heap-profile[=MODE]: the mode may be left out, inline or a known next word', () => {
    expect(splitArgs(['--detect-leaks', '--heap-profile', 'src']).options).toEqual({ detectLeaks: true, heapProfile: 'over-budget' })
    expect(splitArgs(['--detect-leaks', '--heap-profile', 'src']).vitestArgs).toEqual(['src'])
    expect(splitArgs(['--heap-profile=all']).options).toEqual({ heapProfile: 'all' })
    expect(splitArgs(['--heap-profile', 'all', 'src']).options).toEqual({ heapProfile: 'all' })
    expect(() => splitArgs(['--detect-leak'])).toThrow(/did you mean --detect-leaks\?/)
  })

  test('a negative size is taken as the value, so the size parser can explain it', () => {
    expect(splitArgs(['--memory-budget', '-1GB']).options.budget).toBe('-1GB')
  })

  test('help lists every owned flag and points to vitest --help', () => {
    const text = helpText()
    for (const flag of ['--memory-budget SIZE', '--memory-budget-warn', '--memory-report PATH']) expect(text).toContain(flag)
    expect(text).toContain('vitest --help')
  })
})

describe('options for the per-test features', () => {
  test('detectLeaks and heapProfile resolve with flag > env > config, and bad values say what to write', async () => {
    const { optionsFromEnv, resolveOptions } = await import('../src/options.js')
    expect(resolveOptions({}, {}, {}, '/r')).toMatchObject({ detectLeaks: false, heapProfile: null })
    expect(resolveOptions({ heapProfile: 'all' }, optionsFromEnv({ VITEST_MEMORY_HEAP_PROFILE: 'over-budget', VITEST_MEMORY_DETECT_LEAKS: '1' }), {}, '/r'))
      .toMatchObject({ detectLeaks: true, heapProfile: 'over-budget' })
    expect(() => resolveOptions({}, {}, { heapProfile: 'some' as never }, '/r')).toThrow('Invalid --heap-profile "some": use "peak", "over-budget" or "all".')
    expect(() => resolveOptions({}, optionsFromEnv({ VITEST_MEMORY_DETECT_LEAKS: 'yes' }), {}, '/r')).toThrow('Invalid VITEST_MEMORY_DETECT_LEAKS "yes": use true or false.')
  })
})
