// Bad usage as a user meets it: a memoryPool() option of the wrong type, an unknown flag, an
// environment variable set to "0". Each is one line that names what to fix, and exit 2, under
// the vitest-memory CLI and under plain `vitest run`; nothing runs. One run per entry point proves
// the line reaches the user; every case's exact line is a unit test (usage-lines.test.ts).
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

// The cases (each option, each wrong type, generated ones too) are unit tests in usage-lines.test.ts;
// here one run per entry point proves their line and exit 2 reach the user.
describe('memoryPool() options of the wrong type', () => {
  test('vitest-memory run with memoryPool({ history: true }): exit 2, one line (no "failed to load config" before it), no stack', async () => {
    const result = await run('cli', configWith('{ history: true }'), ['run'], { report: false })
    expect(result.code, result.output).toBe(2)
    expect(result.stderr.trim()).toBe('vitest-memory: Invalid memoryPool({ history }) true: use a path (a string) or false.')
    expect(result.output).not.toMatch(/ERR_INVALID_ARG_TYPE|\n\s+at /)
    expect(result.stdout).toBe('')
  })

  test("plain vitest run with memoryPool({ budgets: ['1GB'] }): exit 2 and the same one line, no stack", async () => {
    const result = await run('vitest', configWith("{ budgets: ['1GB'] }"), ['run'])
    expect(result.code, result.output).toBe(2)
    expect(ourLines(result.output)).toHaveLength(1)
    expect(ourLines(result.output)[0]).toContain(
      "vitest-memory: Invalid memoryPool({ budgets }) [\"1GB\"]: use an object of globs to sizes, e.g. { 'test/e2e/**': '2GB' }.",
    )
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
  // The other off-words (false, off, no, any case) read the same: options-validation.test.ts.
  test('VITEST_MEMORY_HTML=0 writes no HTML report at all, and no file named "0"', async () => {
    const dir = copyFixture('no-pool')
    const result = await run('cli', dir, ['run'], { env: { VITEST_MEMORY_HTML: '0', VITEST_MEMORY_DETECT_LEAKS: '0' } })
    expect(result.code, result.output).toBe(0)
    expect(result.output).not.toContain('HTML report')
    expect(readdirSync(dir).filter(name => !/\.(ts|json)$|^node_modules$|^\.vitest-memory$/.test(name))).toEqual([])
    expect(existsSync(join(dir, '.vitest-memory/report.html'))).toBe(false)
  })

  test('a value a switch cannot read is one line naming the variable, exit 2', async () => {
    const result = await run('cli', 'no-pool', ['run'], { report: false, env: { VITEST_MEMORY_DETECT_LEAKS: 'maybe' } })
    expect(result.code).toBe(2)
    expect(result.stderr.trim()).toBe(
      'vitest-memory: Invalid VITEST_MEMORY_DETECT_LEAKS "maybe": use 1, true, yes or on to turn it on; 0, false, no or off to turn it off.',
    )
  })
})

// Each bad value's whole line is a unit test in usage-lines.test.ts; one run shows it reaching the user.
describe('flag values', () => {
  test('--spare-processes abc: exit 2, one line that quotes the value', async () => {
    const result = await run('cli', 'no-pool', ['run', '--spare-processes', 'abc'], { report: false })
    expect(result.code).toBe(2)
    expect(result.stderr.trim()).toBe('vitest-memory: Invalid --spare-processes "abc": use a whole number from 0 to 16, or "auto".')
    expect(result.stdout).toBe('')
  })

  test('--max-memory AUTO is auto', async () => {
    const result = await run('cli', 'no-pool', ['run', '--max-memory', 'AUTO'])
    expect(result.code, result.output).toBe(0)
    expect(result.report!.files).toHaveLength(2)
  })
})

// Each unknown flag's whole line is a unit test in usage-lines.test.ts. This one runs on each
// installed Vitest major: the suggestion comes from that Vitest's own flags.
describe('unknown flags are refused as plain vitest refuses them', () => {
  test("run --maxWorker 1 (Vitest's flag, misspelt): exit 2, one line naming the flag, nothing runs", async () => {
    const result = await run('cli', 'no-pool', ['run', '--maxWorker', '1'], { report: false })
    expect(result.code, result.output).toBe(2)
    expect(result.stderr.trim()).toBe('vitest-memory: Unknown option --maxWorker: did you mean --maxWorkers? (run vitest-memory --help for the list)')
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

// Every subcommand's --help and -h: usage-lines.test.ts; one here through the real CLI.
describe('subcommands take --help', () => {
  test('vitest-memory plan --help (and -h) prints its usage, exit 0', async () => {
    const command = 'plan'
    for (const flag of ['--help', '-h']) {
      const result = await run('cli', 'no-pool', [command, flag], { report: false })
      expect(result.code, result.output).toBe(0)
      expect(result.stdout.split('\n')[0]).toMatch(new RegExp(`^Usage: vitest-memory ${command}\\b`))
      expect(result.stderr).toBe('')
    }
  })
})
