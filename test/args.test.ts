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

  test("passes Vitest's own memory flag through", () => {
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
    expect(splitArgs(['--detect-leaks', '--heap-profile', 'run']).options).toEqual({ detectLeaks: true, heapProfile: 'over-budget' })
    expect(splitArgs(['src', '--heap-profile', '--reporter=dot']).vitestArgs).toEqual(['src', '--reporter=dot'])
    expect(splitArgs(['--heap-profile=all']).options).toEqual({ heapProfile: 'all' })
    expect(splitArgs(['--heap-profile', 'all', 'src']).options).toEqual({ heapProfile: 'all' })
    expect(() => splitArgs(['--detect-leak'])).toThrow(/did you mean --detect-leaks\?/)
  })

  test.each([
    [
      ['--memory-html', 'reports/mem'],
      'Invalid --memory-html "reports/mem": a PATH after --memory-html ends in .html (e.g. --memory-html=reports/memory.html); a test filter goes before --memory-html.',
    ],
    [
      ['--heap-profile', 'src'],
      'Invalid --heap-profile "src": a MODE after --heap-profile is peak, over-budget or all (e.g. --heap-profile=peak); a test filter goes before --heap-profile.',
    ],
  ])('an optional-value flag never lets its meant value become a test filter: %j', (argv, message) => {
    expect(() => splitArgs(argv)).toThrow(message)
  })

  test.each([
    [['--memory-html=reports/mem'], 'Invalid --memory-html "reports/mem": write --memory-html alone, or --memory-html=PATH with a PATH ending in .html.'],
    [['--memory-html='], 'Invalid --memory-html "": write --memory-html alone'],
    [['--heap-profile='], 'Invalid --heap-profile "": use "peak", "over-budget" or "all".'],
    [['--memory-report='], 'Invalid --memory-report "": use a path (a string)'],
  ])('%j (a value after "=" that does not fit, or none) is one line', async (argv, message) => {
    const { resolveOptions } = await import('../src/options.js')
    expect(() => resolveOptions({}, {}, splitArgs(argv).options, '/r')).toThrow(message)
  })

  test('every option that can be off has its --no-* form, and it wins over the config and the environment', async () => {
    const { optionsFromEnv, resolveOptions } = await import('../src/options.js')
    const config = {
      budget: '1GB',
      budgetMode: 'warn' as const,
      history: 'h.json',
      maxMemory: '2GB',
      spareProcesses: 3,
      memoryIntensiveAbove: '1GB',
      annotations: true,
      heapProfile: 'all' as const,
      html: true,
      markdown: 'm.md',
      compareTo: 'b.json',
      memoryLimit: '3GB',
      journal: 'j.jsonl',
      recycleAbove: '1GB',
    }
    const env = optionsFromEnv({ VITEST_MEMORY_DETECT_LEAKS: '1' })
    const off = [
      '--no-memory-budget',
      '--no-memory-budget-warn',
      '--no-memory-history',
      '--no-max-memory',
      '--no-spare-processes',
      '--no-memory-intensive-above',
      '--no-memory-annotations',
      '--no-detect-leaks',
      '--no-heap-profile',
      '--no-memory-html',
      '--no-memory-markdown',
      '--no-compare-to',
      '--no-memory-limit',
      '--no-memory-journal',
      '--no-recycle-above',
    ]
    expect(resolveOptions(config, env, splitArgs(off).options, '/r')).toMatchObject({
      budgetBytes: null,
      budgetMode: 'fail',
      historyPath: null,
      maxMemoryBytes: null,
      spareProcesses: 0,
      memoryIntensiveAboveBytes: null,
      annotations: false,
      detectLeaks: false,
      heapProfile: null,
      htmlPath: null,
      markdownPath: null,
      compareTo: null,
      limitBytes: null,
      journalPath: null,
      recycleAbove: null,
    })
    expect(resolveOptions({ annotations: false }, {}, splitArgs(['--memory-annotations']).options, '/r').annotations).toBe(true)
    expect(() => splitArgs(['--no-memory-html=x'])).toThrow('--no-memory-html takes no value: write just "--no-memory-html".')
  })

  test('a negative size is taken as the value, so the size parser can explain it', () => {
    expect(splitArgs(['--memory-budget', '-1GB']).options.budget).toBe('-1GB')
  })

  test('help lists every owned flag, its --no-* form, and points to vitest --help', async () => {
    const { FLAGS } = await import('../src/cli/args.js')
    const text = helpText()
    for (const flag of ['--memory-budget SIZE, --no-memory-budget', '--memory-budget-warn', '--memory-report PATH', '--memory-html[=PATH], --no-memory-html'])
      expect(text).toContain(flag)
    for (const { flag, removed } of FLAGS) {
      if (removed) expect(text).not.toContain(flag)
      else expect(text).toMatch(new RegExp(`(^|[ ,])${flag.replace(/[-[\]]/g, '\\$&')}([ ,[=]|$)`, 'm'))
    }
    expect(text).toContain('vitest --help')
    for (const line of text.split('\n')) expect(line.length).toBeLessThanOrEqual(200)
  })
})

describe('options for the per-test features', () => {
  test('detectLeaks and heapProfile resolve with flag > env > config, and bad values say what to write', async () => {
    const { optionsFromEnv, resolveOptions } = await import('../src/options.js')
    expect(resolveOptions({}, {}, {}, '/r')).toMatchObject({ detectLeaks: false, heapProfile: null })
    expect(
      resolveOptions({ heapProfile: 'all' }, optionsFromEnv({ VITEST_MEMORY_HEAP_PROFILE: 'over-budget', VITEST_MEMORY_DETECT_LEAKS: '1' }), {}, '/r'),
    ).toMatchObject({ detectLeaks: true, heapProfile: 'over-budget' })
    expect(() => resolveOptions({}, {}, { heapProfile: 'some' as never }, '/r')).toThrow('Invalid --heap-profile "some": use "peak", "over-budget" or "all".')
    expect(resolveOptions({}, optionsFromEnv({ VITEST_MEMORY_DETECT_LEAKS: 'yes' }), {}, '/r').detectLeaks).toBe(true)
    expect(() => optionsFromEnv({ VITEST_MEMORY_DETECT_LEAKS: 'maybe' })).toThrow(
      'Invalid VITEST_MEMORY_DETECT_LEAKS "maybe": use 1, true, yes or on to turn it on; 0, false, no or off to turn it off.',
    )
  })
})

describe('did you mean', () => {
  test.each([
    ['--budget', ['--memory-budget', '--memory-budget-warn', '--bail'], '--memory-budget'],
    ['--maxWorker', ['--maxWorkers', '--memory-budget'], '--maxWorkers'],
    ['--max-workers', ['--maxWorkers', '--max-memory'], '--maxWorkers'],
    ['--memory-budjet', ['--memory-budget', '--memory-report'], '--memory-budget'],
    ['--frobnicate', ['--memory-budget', '--maxWorkers', '--ui', '--root'], null],
    ['--guide', ['--ui', '--globals'], null],
  ])('%s among %j → %s', async (typed, candidates, expected) => {
    const { suggestFlag } = await import('../src/cli/args.js')
    expect(suggestFlag(typed, candidates)).toBe(expected)
  })
})
