// Bad usage as a user meets it: a memoryPool() option of the wrong type, an unknown flag, an
// environment variable set to "0". Each is one line that names what to fix, and exit 2, under
// the vitest-memory CLI and under plain `vitest run`; nothing runs.
import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { describe, expect, test } from 'vitest'
import { copyFixture, run } from './helpers.js'

/** A copy of the bad-option fixture whose config passes `options` to memoryPool(). */
function configWith(options: string): string {
  const dir = copyFixture('bad-option')
  writeFileSync(
    join(dir, 'vitest.config.ts'),
    `import { defineConfig } from 'vitest/config'
import { memoryPool } from 'vitest-memory'

export default defineConfig({ test: { pool: memoryPool(${options}) } })
`,
  )
  return dir
}

/** The lines vitest-memory printed (under plain vitest, Vite adds its own "failed to load config" line, Vitest a banner). */
function ourLines(output: string): string[] {
  return output.split('\n').filter(line => line.includes('vitest-memory:'))
}

describe('memoryPool() options of the wrong type', () => {
  test.each([
    ['{ history: true }', 'Invalid memoryPool({ history }) true: use a path (a string) or false.'],
    ['{ report: 123 }', 'Invalid memoryPool({ report }) 123: use a path (a string), e.g. ".vitest-memory/report.json".'],
    ['{ journal: true }', 'Invalid memoryPool({ journal }) true: use a path (a string) or false.'],
    ['{ html: 123 }', 'Invalid memoryPool({ html }) 123: use true, false or a path ending in .html.'],
    ['{ markdown: true }', 'Invalid memoryPool({ markdown }) true: use a path (a string), e.g. "memory.md".'],
    ['{ compareTo: 42 }', 'Invalid memoryPool({ compareTo }) 42: use the path of a saved report.json (a string).'],
    [
      "{ budgets: new Map([['e2e/**', '1GB']]) }",
      "Invalid memoryPool({ budgets }) a Map: use an object of globs to sizes (a plain object literal), e.g. { 'test/e2e/**': '2GB' }.",
    ],
    ["{ limits: { '': '1GB' } }", "Invalid memoryPool({ limits }): a glob is empty (\"\"); write one relative to the root, e.g. { 'test/e2e/**': '4GB' }."],
    ["{ html: 'x.txt' }", 'Invalid memoryPool({ html }) "x.txt": use true, false or a path ending in .html.'],
  ])('vitest-memory run with memoryPool(%s): exit 2, one line (no "failed to load config" before it), no stack', async (options, message) => {
    const result = await run('cli', configWith(options), ['run'], { report: false })
    expect(result.code, result.output).toBe(2)
    expect(result.stderr.trim()).toBe(`vitest-memory: ${message}`)
    expect(result.output).not.toMatch(/ERR_INVALID_ARG_TYPE|\n\s+at /)
    expect(result.stdout).toBe('')
  })

  test.each([
    ['{ history: true }', 'Invalid memoryPool({ history }) true: use a path (a string) or false.'],
    ["{ budgets: ['1GB'] }", 'Invalid memoryPool({ budgets }) ["1GB"]: use an object of globs to sizes'],
  ])('plain vitest run with memoryPool(%s): exit 2 and the same one line, no stack', async (options, message) => {
    const result = await run('vitest', configWith(options), ['run'])
    expect(result.code, result.output).toBe(2)
    expect(ourLines(result.output)).toHaveLength(1)
    expect(ourLines(result.output)[0]).toContain(`vitest-memory: ${message}`)
    expect(result.output).not.toMatch(/ERR_INVALID_ARG_TYPE|\n\s+at /)
  })
})

describe('options that became constants', () => {
  test('memoryPool({ top, sampleIntervalMs }) and --retained-above still run, each with one warning line, once', async () => {
    const result = await run('cli', configWith('{ top: 3, sampleIntervalMs: 20 }'), ['run', '--retained-above', '10MB'])
    expect(result.code, result.output).toBe(0)
    expect(result.report!.files).toHaveLength(1)
    const warnings = ourLines(result.stderr)
    expect(warnings.map(line => line.replace(/:.*/, ''))).toEqual(['vitest-memory', 'vitest-memory', 'vitest-memory'])
    expect(warnings.join('\n')).toMatch(/retainedAbove \(--retained-above\) is no longer an option and is ignored/)
    expect(warnings.join('\n')).toMatch(/memoryPool\(\{ top \}\) is no longer an option and is ignored/)
    expect(warnings.join('\n')).toMatch(/memoryPool\(\{ sampleIntervalMs \}\) is no longer an option and is ignored/)
  })
})

describe('environment variables', () => {
  test('VITEST_MEMORY_HTML=0 (or false, off, no) writes no HTML report at all, and no file named "0"', async () => {
    const dir = copyFixture('no-pool')
    for (const off of ['0', 'false', 'off', 'no']) {
      const result = await run('cli', dir, ['run'], { env: { VITEST_MEMORY_HTML: off, VITEST_MEMORY_DETECT_LEAKS: off } })
      expect(result.code, result.output).toBe(0)
      expect(result.output).not.toContain('HTML report')
      expect(readdirSync(dir).filter(name => !/\.(ts|json)$|^node_modules$|^\.vitest-memory$/.test(name))).toEqual([])
      expect(existsSync(join(dir, '.vitest-memory/report.html'))).toBe(false)
    }
  })

  test('a value a switch cannot read is one line naming the variable, exit 2', async () => {
    const result = await run('cli', 'no-pool', ['run'], { report: false, env: { VITEST_MEMORY_DETECT_LEAKS: 'maybe' } })
    expect(result.code).toBe(2)
    expect(result.stderr.trim()).toBe(
      'vitest-memory: Invalid VITEST_MEMORY_DETECT_LEAKS "maybe": use 1, true, yes or on to turn it on; 0, false, no or off to turn it off.',
    )
  })
})

describe('flag values', () => {
  test.each([
    ['--spare-processes abc', ['--spare-processes', 'abc'], 'Invalid --spare-processes "abc": use a whole number from 0 to 16, or "auto".'],
    ['--spare-processes ""', ['--spare-processes', ''], 'Invalid --spare-processes "": use a whole number from 0 to 16, or "auto".'],
    [
      'a 320-digit --memory-budget',
      ['--memory-budget', `${'9'.repeat(320)}GB`],
      'Invalid --memory-budget "99999999999999999999…": more than any machine can address (2^53 bytes)',
    ],
    [
      '--max-memory lots',
      ['--max-memory', 'lots'],
      'Invalid --max-memory "lots": write it with a unit, e.g. "512MB", "1.5GB", "800MiB", "2GiB" or "25%"; or "auto"',
    ],
    [
      '--memory-html reports/mem (no .html: never a test filter)',
      ['--memory-html', 'reports/mem'],
      'Invalid --memory-html "reports/mem": a PATH after --memory-html ends in .html',
    ],
    ['--heap-profile= (empty)', ['--heap-profile='], 'Invalid --heap-profile "": use "peak", "over-budget" or "all".'],
  ])('%s: exit 2, one line that quotes the value', async (_name, args, message) => {
    const result = await run('cli', 'no-pool', ['run', ...args], { report: false })
    expect(result.code).toBe(2)
    expect(result.stderr.trim().split('\n')).toHaveLength(1)
    expect(result.stderr).toContain(`vitest-memory: ${message}`)
    expect(result.stderr).not.toMatch(/vitest-memory:.*vitest-memory:/)
  })

  test('--max-memory AUTO is auto', async () => {
    const result = await run('cli', 'no-pool', ['run', '--max-memory', 'AUTO'])
    expect(result.code, result.output).toBe(0)
    expect(result.report!.files).toHaveLength(2)
  })
})

describe('unknown flags are refused as plain vitest refuses them', () => {
  test.each([
    [
      '--frobnicate math.test.ts',
      ['--frobnicate', 'math.test.ts'],
      'Unknown option --frobnicate: it is not a vitest-memory option (vitest-memory --help) nor a Vitest one (vitest --help).',
    ],
    ['--budget 1GB', ['--budget', '1GB'], 'Unknown option --budget: did you mean --memory-budget? (run vitest-memory --help for the list)'],
    ["--maxWorker 1 (Vitest's flag, misspelt)", ['--maxWorker', '1'], 'Unknown option --maxWorker: did you mean --maxWorkers?'],
    ['--no-frobnicate', ['--no-frobnicate'], 'Unknown option --no-frobnicate:'],
    ['--project with no value', ['--project'], 'needs a value: write "--project <name>".'],
  ])('run %s: exit 2, one line naming the flag, nothing runs', async (_name, args, message) => {
    const result = await run('cli', 'no-pool', ['run', ...args], { report: false })
    expect(result.code, result.output).toBe(2)
    expect(result.stderr.trim().split('\n')).toHaveLength(1)
    expect(result.stderr).toContain(message)
    expect(result.stderr).toMatch(/^vitest-memory: /)
    expect(result.stdout).toBe('')
  })

  test("Vitest's own flags still pass: nested, negated, short aliases, values after =, and everything after --", async () => {
    const dir = copyFixture('no-pool')
    const blob = join(dir, 'blob-out')
    const report = join(dir, 'memory.json')
    const result = await run(
      'cli',
      dir,
      [
        'run',
        'math',
        '-t',
        'adds',
        '-c',
        'vitest.config.ts',
        '-r',
        '.',
        '--coverage.enabled=false',
        '--no-file-parallelism',
        '--reporter=default',
        '--reporter=blob',
        `--outputFile.blob=${blob}/b.json`,
        '-u',
        '--memory-report',
        report,
        '--',
        '--anything-after-dashes',
      ],
      { report: false },
    )
    expect(result.code, result.output).toBe(0)
    expect(JSON.parse(readFileSync(report, 'utf8')).files.map((f: { file: string }) => f.file)).toEqual(['math.test.ts'])
    expect(existsSync(join(blob, 'b.json'))).toBe(true)
  })
})

describe('subcommands take --help', () => {
  test.each(['why', 'html', 'compare', 'plan', 'tag'])('vitest-memory %s --help (and -h) prints its usage, exit 0', async command => {
    for (const flag of ['--help', '-h']) {
      const result = await run('cli', 'no-pool', [command, flag], { report: false })
      expect(result.code, result.output).toBe(0)
      expect(result.stdout.split('\n')[0]).toMatch(new RegExp(`^Usage: vitest-memory ${command}\\b`))
      expect(result.stderr).toBe('')
    }
  })
})
