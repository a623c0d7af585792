// vm mode: Vitest's own vm runtime (what `pool: 'vmForks'` runs) inside the memory pool's
// processes: a fresh vm context per file, many files per process, and each file still gets its own
// exact peak, what its process held when it started, and what it left behind after a forced GC.
import { spawnSync } from 'node:child_process'
import { readFileSync, rmSync } from 'node:fs'
import { join } from 'node:path'
import { describe, expect, test } from 'vitest'
import { CLI, fileEntry, fixture, MiB, run, runWithOutcomes, TARGET, TARGET_MAJOR } from './helpers.js'

describe('vm mode', () => {
  test("3 files leave 120 MiB each past their context (on process, in Node's module cache, in a timer) among 40 clean: exactly those 3 named", async () => {
    const result = await run('cli', 'vm-leakers', ['run', '--no-memory-history'])
    expect(result.code, result.output).toBe(0)
    const report = result.report!
    expect(report.files).toHaveLength(43)
    const leakers = ['clean-08-leak-process.test.ts', 'clean-20-leak-module-cache.test.ts', 'clean-32-leak-timer.test.ts']
    expect([...report.sharedProcesses!.leftBehind].sort()).toEqual(leakers)
    // Each leaker's figure is its own (read once its context was let go), not two files' together.
    for (const file of leakers) {
      const shared = fileEntry(result, file).shared!
      expect(shared.retainedFiles, file).toBe(1)
      expect(shared.retainedHeapBytes! / MiB, file).toBeGreaterThan(110)
      expect(result.stdout).toContain(`${file} left +`)
    }
  })

  test("the process's last file is settled at the run's end: a leaker that runs last is named with its own figure", async () => {
    // --detect-leaks: a GC after every file, so the leaker's figure is its own (retainedFiles 1).
    const result = await run('cli', 'vm-last-leaker', ['run', '--no-memory-history', '--detect-leaks'])
    expect(result.code, result.output).toBe(0)
    const report = result.report!
    expect(report.files.map(f => [f.file, f.shared?.order])).toEqual([
      ['a-clean-1.test.ts', 1],
      ['a-clean-2.test.ts', 2],
      ['a-clean-3.test.ts', 3],
      ['z-leak-process.test.ts', 4],
    ])
    expect(report.sharedProcesses!.leftBehind).toEqual(['z-leak-process.test.ts'])
    const last = fileEntry(result, 'z-leak-process.test.ts').shared!
    expect(last.retainedFiles).toBe(1)
    expect(last.retainedHeapBytes! / MiB).toBeGreaterThan(110)
    expect(result.stdout).toContain('z-leak-process.test.ts left +')
  })

  test('memoryPool({ vm: true }): fresh contexts in one process; per-file peaks; only the file that kept 120 MiB is named', async () => {
    const result = await run('cli', 'vm-leak', ['run', '--no-memory-history'])
    // The clean files assert they run in Vitest's vm runtime, each in a context of its own.
    expect(result.code, result.output).toBe(0)
    const report = result.report!
    expect(report.files).toHaveLength(7)
    const transient = fileEntry(result, 'transient-200mb.test.ts').shared!
    const leak = fileEntry(result, 'leak-global.test.ts').shared!
    expect(transient.addedPeakBytes! / MiB).toBeGreaterThan(198)
    expect(transient.addedPeakBytes! / MiB).toBeLessThan(215)
    expect(leak.retainedBytes! / MiB).toBeGreaterThan(115)
    // The leaker is named and no clean file is. (The transient file may be too, now and then: its
    // context, freed once Vitest sets up the next one, can still hold the block at its GC; docs/vm-mode.md.)
    expect(report.sharedProcesses!.leftBehind).toContain('leak-global.test.ts')
    expect(report.sharedProcesses!.leftBehind.filter(f => f.startsWith('clean-'))).toEqual([])
    const shared = report.files.map(f => f.shared!)
    expect(new Set(shared.map(s => s.process)).size).toBe(1)
    expect(shared.map(s => s.order).sort((a, b) => a - b)).toEqual([1, 2, 3, 4, 5, 6, 7])
    for (const file of report.files.filter(f => f.shared!.order > leak.order)) {
      expect(file.shared!.startRssBytes - leak.startRssBytes).toBeGreaterThan(115 * MiB)
    }
    expect(result.stdout).toContain('leak-global.test.ts left +')
    expect(result.stdout).not.toMatch(/clean-0\d\.test\.ts left/)
    // Per-test peaks in every file, from the setup file each context evaluates.
    for (const file of report.files) expect(file.tests.length, file.file).toBe(1)
    expect(fileEntry(result, 'transient-200mb.test.ts').tests[0]!.addedRssBytes! / MiB).toBeGreaterThan(190)
  })

  test('--pool vmForks and --pool vmThreads on the command line: vm mode, one line says so', async () => {
    for (const pool of ['vmForks', 'vmThreads']) {
      const result = await run('cli', 'vm-leak', ['run', '--no-memory-history', '--pool', pool])
      expect(result.code, result.output).toBe(0)
      expect(result.output).toContain(`vitest-memory: --pool ${pool}: it runs in vm mode`)
      expect(result.output.split(`--pool ${pool}: it runs`).length).toBe(2)
      expect(result.output).not.toContain('not measured')
      expect(result.report!.files).toHaveLength(7)
      expect(result.report!.sharedProcesses!.leftBehind).toContain('leak-global.test.ts')
    }
  })

  test('--recycle-above replaces the vm process after the file that passed it; each recycle is reported', async () => {
    const result = await run('cli', 'vm-leak', ['run', '--no-memory-history', '--recycle-above', '150MB'])
    expect(result.code, result.output).toBe(0)
    const summary = result.report!.sharedProcesses!
    expect(summary.recycles.length).toBeGreaterThanOrEqual(1)
    for (const recycle of summary.recycles) expect(recycle.rssBytes).toBeGreaterThan(150e6)
    expect(summary.recycles.map(r => r.files.at(-1))).toContain('leak-global.test.ts')
    expect(summary.processes).toBe(summary.recycles.length + 1)
    // No file started on a process holding more than the threshold.
    for (const file of result.report!.files) expect(file.shared!.startRssBytes).toBeLessThanOrEqual(150e6)
    expect(result.stdout).toMatch(/recycled \d+×/)
  })

  test('a hard-limit kill fails only the file in flight; the queued files run in a fresh vm process', async () => {
    const result = await run('cli', 'vm-limit', ['run', '--no-memory-history'])
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

  test('why after a dead runner names the file in flight and the files before it in its vm process', async () => {
    const dir = fixture('vm-limit')
    const journal = join(dir, '.vitest-memory/journal.jsonl')
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
        if (text.split('\\n').some(l => l.includes('"file-start"') && l.includes('b-grows'))) {
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
    expect(why.stdout).toMatch(/after 2 files/)
    expect(why.stdout).toMatch(/1\. a-clean-1\.test\.ts: started at .*, kept/)
    expect(readFileSync(journal, 'utf8')).toContain('"shared":{"process":1,"order":2')
  })
})

describe("parity with Vitest's vmForks", () => {
  test('jsdom, happy-dom and node files, mocks, setupFiles, globalSetup: the same outcome for every test', async () => {
    const ours = await runWithOutcomes('cli', 'parity-basics', ['run', '--no-memory-history', '--pool', 'vmForks'])
    const theirs = await runWithOutcomes('vitest', 'parity-basics', ['run', '--pool', 'vmForks'])
    expect(theirs.code, theirs.output).toBe(0)
    expect(ours.code, ours.output).toBe(0)
    expect(ours.outcomes.tests).toEqual(theirs.outcomes.tests)
    expect(ours.outcomes.passed).toBeGreaterThan(0)
    for (const file of ours.report!.files) expect(file.shared, file.file).toBeDefined()
  })
  // Found on pmndrs/valtio (docs/compatibility.md, "vm mode"): at one worker Vitest 4.1's vmForks
  // hands its worker every file in one request, and its vm runtime runs a request's files in one
  // context, so a later file finds the earlier files' nodes in `document` (valtio: 82 failures under
  // vmForks, none at --maxWorkers 2). Vitest 5 gives each file its own context there too. vm mode
  // sends one file per request: a context per file, every file passes, on both majors.
  test('at one worker: Vitest 4.1 vmForks runs the files in one context (later files see earlier nodes), Vitest 5 does not; vm mode gives each its own', async () => {
    const args = ['run', '--pool', 'vmForks', '--maxWorkers', '1', '--no-file-parallelism']
    const theirs = await runWithOutcomes('vitest', 'vm-shared-document', args)
    const ours = await runWithOutcomes('cli', 'vm-shared-document', [...args, '--no-memory-history'])
    if (TARGET_MAJOR === 5) expect(theirs.outcomes, theirs.output).toMatchObject({ passed: 3, failed: 0 })
    else {
      expect(theirs.outcomes, theirs.output).toMatchObject({ passed: 1, failed: 2 })
      expect(theirs.output).toMatch(/from a\.test\.ts|from b\.test\.ts/)
    }
    expect(ours.code, ours.output).toBe(0)
    expect(ours.outcomes, ours.output).toMatchObject({ passed: 3, failed: 0 })
    expect(ours.report!.files).toHaveLength(3)
    for (const file of ours.report!.files) expect(file.shared, file.file).toBeDefined()
  })
})
