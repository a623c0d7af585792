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

  test('a negative size is taken as the value, so the size parser can explain it', () => {
    expect(splitArgs(['--memory-budget', '-1GB']).options.budget).toBe('-1GB')
  })

  test('help lists every owned flag and points to vitest --help', () => {
    const text = helpText()
    for (const flag of ['--memory-budget SIZE', '--memory-budget-warn', '--memory-report PATH']) expect(text).toContain(flag)
    expect(text).toContain('vitest --help')
  })
})
