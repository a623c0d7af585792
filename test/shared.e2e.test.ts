// isolate: false under memoryPool(): files share a process, and each still gets its own exact
// peak, what its process held when it started, and what it left behind after a forced GC.
import { copyFileSync, mkdtempSync, readFileSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { describe, expect, test } from 'vitest'
import { CLI, fileEntry, fixture, MiB, run, TARGET } from './helpers.js'
import { spawnSync } from 'node:child_process'

describe('shared processes (isolate: false)', () => {
  test('each file gets its own peak and start; only the file that kept 120 MiB is named', async () => {
    const result = await run('cli', 'shared-leak', ['run', '--no-memory-history'])
    expect(result.code, result.output).toBe(0)
    const report = result.report!
    expect(report.files).toHaveLength(7)
    const transient = fileEntry(result, 'transient-200mb.test.ts').shared!
    const leak = fileEntry(result, 'leak-buffer.test.ts').shared!
    // The 200 MiB file's own peak above its start: the allocation, within a few MB.
    expect(transient.addedPeakBytes! / MiB).toBeGreaterThan(198)
    expect(transient.addedPeakBytes! / MiB).toBeLessThan(215)
    expect(transient.leftBehind).toBe(false)
    expect(leak.retainedHeapBytes! / MiB).toBeGreaterThan(118)
    expect(leak.retainedBytes! / MiB).toBeGreaterThan(115)
    expect(report.sharedProcesses!.leftBehind).toEqual(['leak-buffer.test.ts'])
    // Every file ran in one process, one after another; later files start with the 120 MiB in it.
    const shared = report.files.map(f => f.shared!)
    expect(new Set(shared.map(s => s.process)).size).toBe(1)
    expect(shared.map(s => s.order).sort((a, b) => a - b)).toEqual([1, 2, 3, 4, 5, 6, 7])
    for (const file of report.files.filter(f => f.shared!.order > leak.order)) {
      expect(file.shared!.startRssBytes - leak.startRssBytes).toBeGreaterThan(115 * MiB)
    }
    expect(result.stdout).toContain('leak-buffer.test.ts left +')
    expect(result.stdout).toContain('in the worker after GC: module caches, globals or timers it did not clean up')
    expect(result.stdout).not.toMatch(/clean-0\d\.test\.ts left/)
    // Per-test peaks for every file of the shared process, not only the first: the hooks are
    // registered per file even where the package is loaded natively from node_modules (Vitest 5
    // target: compat/vitest5/node_modules/vitest-memory).
    for (const file of report.files) expect(file.tests.length, file.file).toBeGreaterThan(0)
  })

  test('a batch split per file (--max-memory admits each file) gets the same per-file figures as one run whole', async () => {
    // Without admission or recycling the process runs Vitest's batch whole and reports each
    // file's boundaries itself; with --max-memory the pool hands it one file per request.
    const whole = await run('cli', 'shared-leak', ['run', '--no-memory-history'])
    const split = await run('cli', 'shared-leak', ['run', '--no-memory-history', '--max-memory', '16GB'])
    for (const result of [whole, split]) {
      expect(result.code, result.output).toBe(0)
      expect(result.report!.sharedProcesses!.leftBehind).toEqual(['leak-buffer.test.ts'])
      const transient = fileEntry(result, 'transient-200mb.test.ts').shared!
      expect(transient.addedPeakBytes! / MiB).toBeGreaterThan(198)
      expect(transient.addedPeakBytes! / MiB).toBeLessThan(215)
      for (const file of result.report!.files) expect(file.tests.length, file.file).toBeGreaterThan(0)
    }
    const states = (result: typeof whole) => Object.fromEntries(result.report!.files.map(f => [f.file, [f.state, f.tests.length]]))
    expect(states(split)).toEqual(states(whole))
  })

  test('a process that dies before any file of its batch starts fails the run once, as under forks; no endless resend', async () => {
    // Its diff config kills the worker while Vitest prepares the run: a fresh process would die too.
    const result = await run('cli', 'shared-dies-early', ['run', '--no-memory-history'], { timeoutMs: 30_000 })
    expect(result.signal, result.output).toBeNull()
    expect(result.code).toBe(1)
    expect(result.output).toContain('the test process exited (SIGKILL) before it finished')
    expect(result.output).toMatch(/Errors\s+1 error/)
  })

  test("files sharing a process run in Vitest's own order, also when the history ranks a later file heaviest", async () => {
    // Each file sees what the files before it left: reordering them (the CLI's heaviest-first
    // order for isolated files) could fail a suite that passes under Vitest, or the reverse.
    const history = join(mkdtempSync(join(tmpdir(), 'vm-order-')), 'history.json')
    copyFileSync(join(fixture('shared-order'), 'heavy-last-history.json'), history)
    const plain = await run('vitest', 'shared-order', ['run'])
    const cli = await run('cli', 'shared-order', ['run', '--memory-history', history])
    const order = (result: typeof plain) => result.report!.files.map(f => [f.file, f.shared!.order]).sort()
    expect(plain.code, plain.output).toBe(0)
    expect(cli.code, cli.output).toBe(0)
    expect(order(cli)).toEqual(order(plain))
    // Not the history's order: the heaviest file of the history is not first.
    expect(order(cli)).not.toContainEqual(['test/a.test.ts', 1])
  })

  test('--recycle-above replaces the process before the next file; every file still passes', async () => {
    const result = await run('cli', 'shared-recycle', ['run', '--no-memory-history', '--recycle-above', '300MB'])
    expect(result.code, result.output).toBe(0)
    const summary = result.report!.sharedProcesses!
    expect(summary.recycles.length).toBeGreaterThanOrEqual(1)
    for (const recycle of summary.recycles) expect(recycle.rssBytes).toBeGreaterThan(300e6)
    expect(summary.processes).toBe(summary.recycles.length + 1)
    // No file started on a process holding more than the threshold.
    for (const file of result.report!.files) expect(file.shared!.startRssBytes).toBeLessThanOrEqual(300e6)
    expect(result.report!.files.every(f => f.state === 'pass')).toBe(true)
    expect(result.stdout).toMatch(/recycled \d+×/)
  })

  test('a hard-limit kill fails only the file in flight; the queued files run in a fresh process', async () => {
    const result = await run('cli', 'shared-limit', ['run', '--no-memory-history'])
    expect(result.code).toBe(1)
    const states = Object.fromEntries(result.report!.files.map(f => [f.file, f.state]))
    expect(states).toEqual({
      'a-clean-1.test.ts': 'pass',
      'a-clean-2.test.ts': 'pass',
      'b-grows.test.ts': 'killed',
      'c-after-1.test.ts': 'pass',
      'c-after-2.test.ts': 'pass',
    })
    const killed = fileEntry(result, 'b-grows.test.ts').shared!
    const after = fileEntry(result, 'c-after-1.test.ts').shared!
    expect(after.process).not.toBe(killed.process)
    expect(result.output).toContain('Test Files  1 failed | 4 passed (5)')
  })

  test('why after a dead runner names the file in flight and the files before it in its process', async () => {
    const dir = fixture('shared-limit')
    const journal = join(dir, '.vitest-memory/journal.jsonl')
    // The journal of an earlier run must not be mistaken for this one's.
    rmSync(journal, { force: true })
    // The runner is SIGKILLed while b-grows.test.ts runs (no limit this time, so it keeps growing).
    const runner = spawnSync(
      TARGET.node,
      [
        '-e',
        `
      const { spawn } = require('node:child_process')
      const { readFileSync } = require('node:fs')
      const child = spawn(process.argv[1], [process.argv[2], 'run', '--no-memory-history', '--memory-limit', '10GB'], { cwd: process.argv[3], stdio: 'ignore', env: { ...process.env, CI: 'true' } })
      const timer = setInterval(() => {
        let text = ''
        try { text = readFileSync(process.argv[4], 'utf8') } catch {}
        if (text.includes('"file-start"') && text.split('\\n').some(l => l.includes('"file-start"') && l.includes('b-grows'))) {
          setTimeout(() => { child.kill('SIGKILL'); clearInterval(timer) }, 400)
        }
      }, 20)
      child.on('exit', () => process.exit(0))
    `,
        TARGET.node,
        CLI,
        dir,
        journal,
      ],
      { encoding: 'utf8', timeout: 60_000 },
    )
    expect(runner.status).toBe(0)
    const why = spawnSync(TARGET.node, [CLI, 'why', journal], { encoding: 'utf8', cwd: dir })
    expect(why.status, why.stderr).toBe(0)
    expect(why.stdout).toContain('b-grows.test.ts was running')
    expect(why.stdout).toContain('It ran in a shared process (isolate: false) after 2 files')
    expect(why.stdout).toMatch(/1\. a-clean-1\.test\.ts: started at .*, kept/)
    expect(why.stdout).toMatch(/2\. a-clean-2\.test\.ts: started at/)
    expect(readFileSync(journal, 'utf8')).toContain('"shared":{"process":1,"order":2')
  })
})
