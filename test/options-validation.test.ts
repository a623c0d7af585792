// Every memoryPool() option, flag and VITEST_MEMORY_* variable is checked before anything runs:
// a bad one is a UsageError whose message is one line naming the option, the value and what is allowed.
import { describe, expect, test, vi } from 'vitest'
import { splitArgs } from '../src/cli/args.js'
import { UsageError } from '../src/errors.js'
import { optionsFromEnv, resolveOptions, validateConfigOptions, type MemoryPoolOptions } from '../src/options.js'
import { parseSize } from '../src/size.js'

function usageError(call: () => unknown): UsageError {
  try {
    call()
  } catch (error) {
    expect(error).toBeInstanceOf(UsageError)
    expect((error as Error).message.split('\n')).toHaveLength(1)
    return error as UsageError
  }
  throw new Error('expected a UsageError, nothing was thrown')
}

describe('memoryPool() options of the wrong type or value', () => {
  test.each<[MemoryPoolOptions, string]>([
    [{ history: true as never }, 'Invalid memoryPool({ history }) true: use a path (a string) or false.'],
    [{ report: 123 as never }, 'Invalid memoryPool({ report }) 123: use a path (a string), e.g. ".vitest-memory/report.json".'],
    [{ journal: true as never }, 'Invalid memoryPool({ journal }) true: use a path (a string) or false.'],
    [{ html: 123 as never }, 'Invalid memoryPool({ html }) 123: use true, false or a path ending in .html.'],
    [{ markdown: true as never }, 'Invalid memoryPool({ markdown }) true: use a path (a string), e.g. "memory.md".'],
    [{ compareTo: 42 as never }, 'Invalid memoryPool({ compareTo }) 42: use the path of a saved report.json (a string).'],
    [{ report: '' }, 'Invalid memoryPool({ report }) "": use a path (a string), e.g. ".vitest-memory/report.json".'],
    [{ budget: true as never }, 'Invalid memoryPool({ budget }) true: write a size with a unit'],
    [{ budget: 512 as never }, 'Invalid memoryPool({ budget }) 512: a bare number has no unit'],
    [{ budgets: ['1GB'] as never }, "Invalid memoryPool({ budgets }) [\"1GB\"]: use an object of globs to sizes, e.g. { 'test/e2e/**': '2GB' }."],
    [{ budgets: { 'e2e/**': 2e9 } as never }, 'Invalid budget for "e2e/**" 2000000000: a bare number has no unit'],
    [{ limits: 'e2e/**' as never }, "Invalid memoryPool({ limits }) \"e2e/**\": use an object of globs to sizes, e.g. { 'test/e2e/**': '4GB' }."],
    [
      { memoryIntensive: 'test/e2e/**' as never },
      'Invalid memoryPool({ memoryIntensive }) "test/e2e/**": use a list of globs relative to the root, e.g. [\'test/e2e/**\'].',
    ],
    [{ memoryIntensive: ['a', 3] as never }, 'Invalid memoryPool({ memoryIntensive }) ["a",3]: use a list of globs'],
    [{ spareProcesses: 1.5 }, 'Invalid memoryPool({ spareProcesses }) 1.5: use a whole number from 0 to 16, or "auto".'],
    [{ detectLeaks: 'yes' as never }, 'Invalid memoryPool({ detectLeaks }) "yes": use true or false.'],
    [{ budgetMode: 'soft' as never }, 'Invalid memoryPool({ budgetMode }) "soft": use "fail" or "warn".'],
    [{ memoryIntensiveMode: 'never' as never }, 'Invalid memoryPool({ memoryIntensiveMode }) "never": use "run", "skip" or "only".'],
    [{ heapProfile: true as never }, 'Invalid memoryPool({ heapProfile }) true: use "peak", "over-budget" or "all".'],
    [{ failOnIncrease: 0.2 as never }, 'Invalid memoryPool({ failOnIncrease }) 0.2: write a percentage greater than zero, e.g. "20%".'],
    [{ minDelta: {} as never }, 'Invalid memoryPool({ minDelta }) {}: write a size with a unit'],
    [{ maxMemory: 4e9 as never }, 'Invalid memoryPool({ maxMemory }) 4000000000: a bare number has no unit'],
    [{ memoryLimit: null as never, memoryIntensiveAbove: [] as never }, 'Invalid memoryPool({ memoryIntensiveAbove }) []: write a size with a unit'],
    [{ startTimeout: '60s' as never }, 'Invalid memoryPool({ startTimeout }) "60s": use a number of milliseconds from 100 to 3600000'],
    [{ annotations: 'no' as never }, 'Invalid memoryPool({ annotations }) "no": use true or false.'],
    [{ recycleAbove: 2e9 as never }, 'Invalid memoryPool({ recycleAbove }) 2000000000: a bare number has no unit'],
    [{ sharedBudget: 'peak' as never }, 'Invalid memoryPool({ sharedBudget }) "peak": use "added" or "absolute".'],
    // Not a plain object: a Map's entries are no keys, so it used to mean "no budgets" silently.
    [
      { budgets: new Map([['e2e/**', '2GB']]) as never },
      "Invalid memoryPool({ budgets }) a Map: use an object of globs to sizes (a plain object literal), e.g. { 'test/e2e/**': '2GB' }.",
    ],
    [
      { limits: new Map() as never },
      "Invalid memoryPool({ limits }) a Map: use an object of globs to sizes (a plain object literal), e.g. { 'test/e2e/**': '4GB' }.",
    ],
    [{ budgets: new (class Budgets {})() as never }, 'Invalid memoryPool({ budgets }) a Budgets: use an object of globs to sizes'],
    [{ memoryIntensive: new Set(['e2e/**']) as never }, 'Invalid memoryPool({ memoryIntensive }) a Set: use a list of globs relative to the root'],
    // An empty glob is a TypeError in picomatch mid-run; refused before anything runs.
    [{ budgets: { '': '1GB' } }, "Invalid memoryPool({ budgets }): a glob is empty (\"\"); write one relative to the root, e.g. { 'test/e2e/**': '2GB' }."],
    [{ limits: { 'e2e/**': '4GB', ' ': '1GB' } }, 'Invalid memoryPool({ limits }): a glob is empty (" ")'],
    // The HTML report's path ends in .html in the config as on the command line.
    [{ html: 'x.txt' }, 'Invalid memoryPool({ html }) "x.txt": use true, false or a path ending in .html.'],
    [{ html: 'reports/mem' }, 'Invalid memoryPool({ html }) "reports/mem": use true, false or a path ending in .html.'],
  ])('%j → one line naming it, the value and what is allowed', (options, message) => {
    expect(usageError(() => validateConfigOptions(options)).message).toContain(message)
  })

  test('a whole argument that is not an object is refused too', () => {
    expect(usageError(() => validateConfigOptions('1GB' as never)).message).toBe(
      'Invalid memoryPool() argument "1GB": pass an object of options, e.g. memoryPool({ budget: \'1GB\' }).',
    )
    expect(usageError(() => validateConfigOptions(new Map([['budget', '1GB']]) as never)).message).toBe(
      "Invalid memoryPool() argument a Map: pass an object of options, e.g. memoryPool({ budget: '1GB' }).",
    )
  })

  test('an HTML path ending in .html or .htm, any case, is accepted wherever it is given', () => {
    expect(resolveOptions({ html: 'out/Page.HTML' }, {}, {}, '/p').htmlPath).toBe('/p/out/Page.HTML')
    expect(resolveOptions({}, optionsFromEnv({ VITEST_MEMORY_HTML: 'page.htm' }), {}, '/p').htmlPath).toBe('/p/page.htm')
    expect(usageError(() => resolveOptions({}, optionsFromEnv({ VITEST_MEMORY_HTML: 'page.txt' }), {}, '/p')).message).toBe(
      'Invalid VITEST_MEMORY_HTML "page.txt": use true, false or a path ending in .html.',
    )
  })

  test('good values of every type still resolve', () => {
    const o = resolveOptions(
      {
        history: false,
        journal: 'j.jsonl',
        html: false,
        report: 'r.json',
        memoryIntensive: [],
        spareProcesses: 0,
        budgets: Object.assign(Object.create(null), { 'e2e/**': '2GB' }),
      },
      {},
      {},
      '/p',
    )
    expect(o).toMatchObject({
      historyPath: null,
      journalPath: '/p/j.jsonl',
      htmlPath: null,
      reportPath: '/p/r.json',
      spareProcesses: 0,
      budgets: [{ glob: 'e2e/**', bytes: 2e9 }],
    })
  })
})

describe('knobs that became constants (top, sampleIntervalMs, retainedAbove)', () => {
  test('still accepted, whatever their value, with one warning line each, once; the constants apply', () => {
    const warn = vi.spyOn(console, 'warn').mockImplementation(() => {})
    // The warnings are printed once per process: forget earlier ones.
    delete (globalThis as Record<symbol, unknown>)[Symbol.for('vitest-memory.removed-option-warnings')]
    try {
      const config = { top: 3, sampleIntervalMs: 'fast' as never, retainedAbove: '5MB' }
      expect(() => validateConfigOptions(config)).not.toThrow()
      const o = resolveOptions(config, {}, splitArgs(['--retained-above', '1GB']).options, '/p')
      expect(o).toMatchObject({ top: 10, sampleIntervalMs: 50, retainedAboveBytes: 50e6 })
      const lines = warn.mock.calls.map(call => String(call[0]))
      expect(lines).toHaveLength(3)
      for (const line of lines) expect(line.split('\n')).toHaveLength(1)
      expect(lines[0]).toBe(
        'vitest-memory: memoryPool({ top }) is no longer an option and is ignored: the table lists the 10 heaviest files and every file over budget, crashed or killed; the JSON and HTML reports list all.',
      )
      expect(lines[1]).toMatch(/^vitest-memory: memoryPool\(\{ sampleIntervalMs \}\) is no longer an option and is ignored: .*every 50 ms/)
      expect(lines[2]).toMatch(/^vitest-memory: retainedAbove \(--retained-above\) is no longer an option and is ignored: .*50 MB/)
    } finally {
      warn.mockRestore()
    }
  })

  test('the removed flag still takes its value, so the value never becomes a test filter', () => {
    expect(splitArgs(['--retained-above', '80MB', 'math'])).toEqual({ options: { retainedAbove: '80MB' }, vitestArgs: ['math'] })
  })
})

describe('boolean-ish environment values mean the same everywhere', () => {
  test.each(['0', 'false', 'off', 'no', 'FALSE', ' Off '])('VITEST_MEMORY_*=%j turns the option off', off => {
    const env = optionsFromEnv({
      VITEST_MEMORY_HTML: off,
      VITEST_MEMORY_DETECT_LEAKS: off,
      VITEST_MEMORY_SKIP_INTENSIVE: off,
      VITEST_MEMORY_ONLY_INTENSIVE: off,
      VITEST_MEMORY_HISTORY: off,
      VITEST_MEMORY_JOURNAL: off,
      VITEST_MEMORY_MARKDOWN: off,
      VITEST_MEMORY_COMPARE_TO: off,
      VITEST_MEMORY_HEAP_PROFILE: off,
      VITEST_MEMORY_BUDGET: off,
      VITEST_MEMORY_LIMIT: off,
      VITEST_MEMORY_MAX_MEMORY: off,
      VITEST_MEMORY_INTENSIVE_ABOVE: off,
      VITEST_MEMORY_ANNOTATIONS: off,
      VITEST_MEMORY_RECYCLE_ABOVE: off,
    })
    const o = resolveOptions(
      {
        html: true,
        detectLeaks: true,
        budget: '1GB',
        memoryLimit: '2GB',
        maxMemory: '3GB',
        markdown: 'm.md',
        compareTo: 'b.json',
        heapProfile: 'all',
        recycleAbove: '1GB',
      },
      env,
      {},
      '/p',
    )
    expect(o).toMatchObject({
      htmlPath: null,
      detectLeaks: false,
      memoryIntensiveMode: 'run',
      historyPath: null,
      journalPath: null,
      markdownPath: null,
      compareTo: null,
      heapProfile: null,
      budgetBytes: null,
      limitBytes: null,
      maxMemoryBytes: null,
      memoryIntensiveAboveBytes: null,
      annotations: false,
      recycleAbove: null,
    })
  })

  test.each(['1', 'true', 'on', 'yes', 'TRUE'])('VITEST_MEMORY_*=%j turns a switch on', on => {
    const o = resolveOptions(
      {},
      optionsFromEnv({ VITEST_MEMORY_HTML: on, VITEST_MEMORY_DETECT_LEAKS: on, VITEST_MEMORY_SKIP_INTENSIVE: on, VITEST_MEMORY_HEAP_PROFILE: on }),
      {},
      '/p',
    )
    expect(o).toMatchObject({ htmlPath: '/p/.vitest-memory/report.html', detectLeaks: true, memoryIntensiveMode: 'skip', heapProfile: 'over-budget' })
  })

  test('a path is still a path, and a value that is neither on nor off for a switch names the variable', () => {
    expect(optionsFromEnv({ VITEST_MEMORY_HTML: 'out/page.html' }).html).toBe('out/page.html')
    expect(usageError(() => optionsFromEnv({ VITEST_MEMORY_DETECT_LEAKS: 'maybe' })).message).toBe(
      'Invalid VITEST_MEMORY_DETECT_LEAKS "maybe": use 1, true, yes or on to turn it on; 0, false, no or off to turn it off.',
    )
  })

  test('a report cannot be turned off: an off-value is refused instead of writing a file named "0"', () => {
    expect(usageError(() => optionsFromEnv({ VITEST_MEMORY_REPORT: '0' })).message).toBe(
      'Invalid VITEST_MEMORY_REPORT "0": the JSON report cannot be turned off; give a path, e.g. ".vitest-memory/report.json".',
    )
  })

  test('an on-word is no path: VITEST_MEMORY_HISTORY=1 is refused rather than read as a file named "1"', () => {
    expect(usageError(() => optionsFromEnv({ VITEST_MEMORY_HISTORY: '1' })).message).toBe(
      'Invalid VITEST_MEMORY_HISTORY "1": give a path, e.g. ".vitest-memory/history.json", or 0 to turn it off.',
    )
    expect(usageError(() => optionsFromEnv({ VITEST_MEMORY_MARKDOWN: 'yes' })).message).toBe(
      'Invalid VITEST_MEMORY_MARKDOWN "yes": give a path, e.g. "memory.md", or 0 to turn it off.',
    )
  })
})

describe('numbers and sizes', () => {
  test.each([
    [['--spare-processes', 'abc'], 'Invalid --spare-processes "abc": use a whole number from 0 to 16, or "auto".'],
    [['--spare-processes', ''], 'Invalid --spare-processes "": use a whole number from 0 to 16, or "auto".'],
    [['--spare-processes=2.5'], 'Invalid --spare-processes "2.5": use a whole number from 0 to 16, or "auto".'],
    [['--spare-processes', '17'], 'Invalid --spare-processes "17": use a whole number from 0 to 16, or "auto".'],
  ])('%j quotes the value', (argv, message) => {
    expect(usageError(() => resolveOptions({}, {}, splitArgs(argv).options, '/p')).message).toBe(message)
  })

  test('VITEST_MEMORY_SPARE_PROCESSES quotes its value too', () => {
    expect(usageError(() => resolveOptions({}, optionsFromEnv({ VITEST_MEMORY_SPARE_PROCESSES: 'two' }), {}, '/p')).message).toBe(
      'Invalid VITEST_MEMORY_SPARE_PROCESSES "two": use a whole number from 0 to 16, or "auto".',
    )
    expect(resolveOptions({}, optionsFromEnv({ VITEST_MEMORY_SPARE_PROCESSES: '3' }), {}, '/p').spareProcesses).toBe(3)
  })

  test('a size beyond what a machine could address is refused, not Infinity', () => {
    const huge = `${'9'.repeat(320)}GB`
    expect(() => parseSize(huge, '--memory-budget')).toThrow(/^Invalid --memory-budget "9{20}…": more than any machine can address/)
    expect(() => parseSize('9007199254740993B', 'budget')).toThrow(/more than any machine can address/)
    expect(() => parseSize('10000000TB', 'budget')).toThrow(/more than any machine can address/)
    expect(parseSize('1024TiB', 'budget')).toBe(1024 ** 5)
    expect(usageError(() => resolveOptions({}, {}, { budget: huge }, '/p')).message).toMatch(/^Invalid --memory-budget/)
  })

  test('--recycle-above auto is case-insensitive too', () => {
    expect(resolveOptions({}, {}, { recycleAbove: 'Auto' }, '/p').recycleAbove).toBe('auto')
  })

  test('--max-memory auto is case-insensitive, and a bad value says auto is allowed', () => {
    expect(resolveOptions({}, {}, { maxMemory: 'AUTO' }, '/p').maxMemoryBytes).toBeGreaterThan(0)
    expect(resolveOptions({}, {}, { maxMemory: ' Auto ' }, '/p').maxMemoryBytes).toBeGreaterThan(0)
    expect(usageError(() => resolveOptions({}, {}, { maxMemory: 'lots' }, '/p')).message).toMatch(/^Invalid --max-memory "lots": .*"auto"/)
    expect(usageError(() => resolveOptions({}, {}, { maxMemory: '512' }, '/p')).message).toMatch(/^Invalid --max-memory "512": .*"auto"/)
  })
})

describe('which outputs the user asked for', () => {
  test('defaults are not asked for; a flag, a variable or a config key is', () => {
    expect(resolveOptions({}, {}, {}, '/p').askedFor).toEqual({ report: false, history: false, journal: false })
    expect(resolveOptions({ history: 'h.json' }, optionsFromEnv({ VITEST_MEMORY_JOURNAL: 'j.jsonl' }), { report: 'r.json' }, '/p').askedFor).toEqual({
      report: true,
      history: true,
      journal: true,
    })
  })
})

describe('one reading of on and off for every variable', () => {
  test('VITEST_MEMORY_FORCE_FALLBACK reads the same words', async () => {
    const { hasProcfs } = await import('../src/measure/procfs.js')
    const saved = process.env.VITEST_MEMORY_FORCE_FALLBACK
    try {
      for (const on of ['1', 'true', 'YES', 'on']) {
        process.env.VITEST_MEMORY_FORCE_FALLBACK = on
        expect(hasProcfs(), on).toBe(false)
      }
      for (const off of ['0', 'false', 'off', 'no']) {
        process.env.VITEST_MEMORY_FORCE_FALLBACK = off
        expect(hasProcfs(), off).toBe(process.platform === 'linux')
      }
    } finally {
      if (saved === undefined) delete process.env.VITEST_MEMORY_FORCE_FALLBACK
      else process.env.VITEST_MEMORY_FORCE_FALLBACK = saved
    }
  })
})
