// A test process talks to the runner before it has finished starting (a custom environment is
// resolved and fetched over Vitest's RPC while the worker sets up): the pool must answer every
// message in every phase, and a process that never finishes starting must fail its file, not
// hang the run.
import { spawn } from 'node:child_process'
import { existsSync, mkdtempSync, readFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { describe, expect, test } from 'vitest'
import { cleanEnv, CLI, fileEntry, fixture, run, runWithOutcomes, TARGET } from './helpers.js'

/** Far above a healthy run of these fixtures (under 2 s), far below "forever". */
const HANG_GUARD_MS = 30_000

describe('a custom environment named by its bare file name (my-env.ts, not ./my-env.ts)', () => {
  test.each([
    ['with a spare process', []],
    ['without spare processes', ['--spare-processes', '0']],
  ])('runs %s, with the same outcomes as forks', async (_, extra) => {
    const forks = await runWithOutcomes('vitest', 'custom-env', ['run', '--pool=forks'], { timeoutMs: HANG_GUARD_MS })
    const pool = await runWithOutcomes('cli', 'custom-env', ['run', '--no-memory-history', '--no-memory-journal', ...extra], { timeoutMs: HANG_GUARD_MS })
    expect(pool.signal, pool.output).toBeNull()
    expect(pool.code, pool.output).toBe(0)
    expect(pool.outcomes.tests).toEqual(forks.outcomes.tests)
    expect(pool.outcomes.passed).toBe(2)
    // the environment's own output, written while the worker was starting, reaches the terminal
    expect(pool.output).toContain('my-env: set up')
    expect(fileEntry(pool, 'bare.test.ts').peakRssBytes).toBeGreaterThan(30e6)
  })
})

describe('an environment that throws while the worker starts', () => {
  test('fails the run as under forks, and fails that file (forks loses it from the counts); no stall at the end', async () => {
    const forks = await run('vitest', 'start-error', ['run', '--pool=forks'], { timeoutMs: HANG_GUARD_MS })
    const ours = await run('cli', 'start-error', ['run', '--no-memory-history', '--no-memory-journal'], { timeoutMs: HANG_GUARD_MS })
    expect(ours.signal, ours.output).toBeNull()
    expect(ours.code).toBe(forks.code)
    expect(ours.code).toBe(1)
    expect(ours.stdout).toMatch(/Test Files\s+1 failed \| 1 passed \(2\)/)
    expect(ours.output).toContain('TestProcessStartError: [vitest-memory]: the test process for broken.test.ts failed to start: broken-env: cannot set up')
    expect(ours.output).not.toMatch(/Unhandled Error/)
    expect(ours.output).not.toContain('Timeout terminating')
    expect(fileEntry(ours, 'broken.test.ts').state).toBe('fail')
  })
})

describe('a custom environment that does not exist', () => {
  test('fails its file with one line naming it and what to check, no module runner stack; the others run', async () => {
    const ours = await run('cli', 'missing-env', ['run', '--no-memory-history', '--no-memory-journal'], { timeoutMs: HANG_GUARD_MS })
    expect(ours.signal, ours.output).toBeNull()
    expect(ours.code, ours.output).toBe(1)
    expect(ours.stdout).toMatch(/Test Files\s+1 failed \| 1 passed \(2\)/)
    expect(ours.output).toMatch(
      /TestProcessStartError: \[vitest-memory\]: the test process for missing\.test\.ts failed to start: Failed to load url \S*no-such-env .*Does the file exist\? \(check the environment the file names in `\/\/ @vitest-environment`, or `environment` in the config\)\n/,
    )
    expect(ours.output).not.toMatch(/Unhandled Error|module-runner\.js/)
    expect(fileEntry(ours, 'missing.test.ts').state).toBe('fail')
    expect(fileEntry(ours, 'ok.test.ts').state).toBe('pass')
  })
})

describe('a process that never finishes starting (startTimeout: 1500)', () => {
  test('is killed at the bound: its file fails naming the phase and what it last asked; the others run', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'vm-boot-'))
    const journal = join(dir, 'journal.jsonl')
    const result = await run('cli', 'start-timeout', ['run', '--no-memory-history', '--memory-journal', journal], { timeoutMs: HANG_GUARD_MS })
    expect(result.signal, result.output).toBeNull()
    expect(result.code, result.output).toBe(1)
    expect(result.stdout).toMatch(/Test Files\s+1 failed \| 1 passed \(2\)/)
    expect(result.output).toMatch(/the process for stuck\.test\.ts \(pid \d+\) never finished starting: stuck for 1\.\d+ s/)
    expect(result.output).toContain(
      "did not finish starting within 1.50 s (Vitest's worker setup: loading the test environment; its last message asked the runner for",
    )
    expect(result.output).toContain('stuck-env')
    expect(fileEntry(result, 'stuck.test.ts')).toMatchObject({ state: 'crash', crash: { cause: 'start-timeout' } })
    expect(fileEntry(result, 'ok.test.ts').state).toBe('pass')
    expect(result.stdout).toMatch(/stuck\.test\.ts .* never finished starting/)
    // the journal names the file from the moment its process was starting
    const lines = readFileSync(journal, 'utf8')
      .trim()
      .split('\n')
      .map(line => JSON.parse(line))
    const boot = lines.find(line => line.t === 'file-boot' && line.file === 'stuck.test.ts')
    expect(boot?.pid).toBeGreaterThan(0)
    expect(lines.find(line => line.t === 'file-end' && line.file === 'stuck.test.ts')).toMatchObject({ state: 'crash', cause: 'start-timeout', pid: boot.pid })
  })
})

describe('`why` on a run stuck on a starting process (startTimeout: 60 s)', () => {
  test('while the runner lives: "still running", the stuck file named; after SIGTERM: stopped while the file waited for its process', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'vm-boot-why-'))
    const journal = join(dir, 'journal.jsonl')
    const runner = spawn(TARGET.node, [CLI, 'run', 'stuck', '--no-memory-history', '--memory-journal', journal, '--memory-report', join(dir, 'report.json')], {
      cwd: fixture('start-timeout'),
      env: cleanEnv({ START_TIMEOUT_MS: '60000' }),
    })
    let output = ''
    runner.stdout.on('data', chunk => {
      output += chunk
    })
    runner.stderr.on('data', chunk => {
      output += chunk
    })
    const exited = new Promise<number | null>(done => runner.on('close', code => done(code)))
    try {
      const deadline = Date.now() + HANG_GUARD_MS
      while (!(existsSync(journal) && readFileSync(journal, 'utf8').includes('"t":"file-boot"'))) {
        if (Date.now() > deadline) throw new Error(`stuck.test.ts never started booting:\n${output}`)
        await new Promise(done => setTimeout(done, 100))
      }
      await new Promise(done => setTimeout(done, 1000))
      const alive = await run('cli', 'start-timeout', ['why', journal], { report: false })
      expect(alive.code, alive.output).toBe(0)
      expect(alive.stdout).toMatch(
        /The runner \(pid \d+\) is still running: this journal is not an ending\..*stuck\.test\.ts was waiting for its process to start; its process never finished starting: stuck for [\d.]+ s\./,
      )
      expect(alive.stdout).not.toContain('killed without warning')
    } finally {
      runner.kill('SIGTERM')
    }
    expect(await exited).toBe(143)
    expect(output).toContain('vitest-memory: stopped by SIGTERM; killed stuck.test.ts')
    const stopped = await run('cli', 'start-timeout', ['why', journal], { report: false })
    expect(stopped.stdout).toMatch(
      /The runner was stopped by SIGTERM, [\d.]+ s into the run while stuck\.test\.ts was waiting for its process to start; its process never finished starting: stuck for [\d.]+ s\./,
    )
  })
})
