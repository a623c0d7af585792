// Reading the flight recorder: the story of a finished, stopped or killed run; bad journals.
import { mkdtempSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { describe, expect, test } from 'vitest'
import { spawn } from 'node:child_process'
import { analyzeJournal, renderWhy, runnerLiveness } from '../src/cli/why.js'
import { readStartTime } from '../src/measure/procfs.js'
import { run } from './helpers.js'

const lines = (...entries: object[]) => `${entries.map(e => JSON.stringify(e)).join('\n')}\n`
const RUN = { t: 'run', at: 1000, pid: 9, argv: [], cwd: '/', limitBytes: null, limits: [], totalMemoryBytes: 8e9, cgroupLimitBytes: null, cpus: 2 }
const LIGHT = [
  { t: 'file-start', at: 1100, file: 'light.test.ts', project: '', pid: 10, limitBytes: null },
  { t: 'file-end', at: 1300, file: 'light.test.ts', pid: 10, state: 'pass', peakRssBytes: 60e6, treePeakRssBytes: 61e6, durationMs: 200 },
]
const HEAVY = [
  { t: 'file-start', at: 1400, file: 'test/heavy.test.ts', project: '', pid: 11, limitBytes: null },
  { t: 'sample', at: 2400, file: 'test/heavy.test.ts', pid: 11, rssBytes: 2.7e9, treeRssBytes: 2.7e9 },
  { t: 'sample', at: 3400, file: 'test/heavy.test.ts', pid: 11, rssBytes: 3.1e9, treeRssBytes: 3.1e9 },
]

describe('analyzeJournal and renderWhy', () => {
  test('a runner killed without warning: the running file, its size and growth rate', () => {
    const text = renderWhy(analyzeJournal(lines(RUN, ...LIGHT, ...HEAVY)))
    expect(text).toContain('The runner died while test/heavy.test.ts was running; its RSS was 3.10 GB and rising 400 MB/s.')
    expect(text).toMatch(/Heaviest finished files \(of 1\):\n\s+61\.0 MB {2}light\.test\.ts \(pass, 200 ms\)/)
  })

  test('a truncated last line is tolerated and mentioned', () => {
    const text = `${lines(RUN, ...LIGHT, ...HEAVY)}{"t":"sample","at":35`
    const analysis = analyzeJournal(text)
    expect(analysis.truncated).toBe(true)
    expect(renderWhy(analysis)).toContain('cut short')
  })

  test('a stopped runner and a finished run say so; only the last run counts', () => {
    const aborted = analyzeJournal(
      lines(RUN, ...HEAVY, {
        t: 'aborted',
        at: 3500,
        signal: 'SIGTERM',
        running: [{ file: 'test/heavy.test.ts', pid: 11, treeRssBytes: 3.2e9, runningMs: 2100 }],
      }),
    )
    expect(renderWhy(aborted)).toContain('stopped by SIGTERM, 2.50 s into the run while test/heavy.test.ts was running; its RSS was 3.20 GB')
    const twoRuns = analyzeJournal(lines(RUN, ...HEAVY, { ...RUN, at: 5000 }, ...LIGHT, { t: 'run-end', at: 6000, durationMs: 1000 }))
    expect(twoRuns.ending).toBe('finished')
    expect(twoRuns.running).toEqual([])
    expect(renderWhy(twoRuns)).toContain('The run finished normally')
  })

  test('garbage in the middle or no entries at all is an error, not a stack trace', () => {
    expect(() => analyzeJournal(`${lines(RUN)}not json\n${lines(...LIGHT)}`)).toThrowError('line 2 is not a vitest-memory journal entry')
    expect(() => analyzeJournal('')).toThrowError('no journal entries')
  })
})

describe('a file whose process never finished starting, and a runner still alive', () => {
  const BOOT = { t: 'file-boot', at: 1500, file: 'test/stuck.test.ts', project: '', pid: 12 }

  test('a dead runner: the file waiting for its process is the file in flight, with how long it was stuck', () => {
    const text = renderWhy(analyzeJournal(lines(RUN, ...LIGHT, BOOT, { t: 'sample', at: 3500, file: 'other', pid: 99, rssBytes: 1, treeRssBytes: 1 })))
    // Nothing was written at the death: the 2 s are up to the journal's last line, not until the runner died.
    expect(text).toContain(
      "The runner died while test/stuck.test.ts was waiting for its process to start; its process had not finished starting (began 2.00 s before the journal's last line).",
    )
    expect(text).toContain("  test/stuck.test.ts: pid 12, never finished starting (began 2.00 s before the journal's last line)")
    expect(text).not.toContain('no test file was running')
  })

  test('a runner killed 17 ms after a file booted: no "stuck for 0 ms"', () => {
    const text = renderWhy(analyzeJournal(lines(RUN, ...LIGHT, BOOT)))
    expect(text).not.toContain('stuck for')
    expect(text).toContain("its process had not finished starting (began 0 ms before the journal's last line)")
  })

  test('after SIGTERM, the file the aborted line names (pid 0: no process yet) is the file in flight', () => {
    const aborted = { t: 'aborted', at: 4000, signal: 'SIGTERM', running: [{ file: 'test/stuck.test.ts', pid: 0, treeRssBytes: null, runningMs: 2500 }] }
    const text = renderWhy(analyzeJournal(lines(RUN, ...LIGHT, aborted)))
    expect(text).toContain(
      'stopped by SIGTERM, 3.00 s into the run while test/stuck.test.ts was waiting for its process to start; its process never finished starting: stuck for 2.50 s.',
    )
  })

  test('a runner still alive is not called dead: it is still running, and the stuck time counts until now', () => {
    const text = renderWhy(analyzeJournal(lines(RUN, ...LIGHT, BOOT)), 5, 'alive', 1500 + 223_000)
    expect(text).toContain('The runner (pid 9) is still running: this journal is not an ending.')
    expect(text).toContain('test/stuck.test.ts was waiting for its process to start; its process never finished starting: stuck for 223.0 s.')
    expect(text).not.toContain('killed without warning')
  })

  test('runnerLiveness: a live process that started when the run line says is alive, whatever its command line; a reused pid or an exited one is dead', async () => {
    const child = spawn(process.execPath, ['-e', 'setTimeout(() => {}, 20000)'], { stdio: 'ignore' })
    try {
      await new Promise(done => setTimeout(done, 200))
      const startTime = readStartTime(child.pid!)
      expect(startTime).not.toBeNull()
      // The argv recorded is the runner's own process.argv; /proc shows what launched it (npm's bin, npx): never compared.
      expect(runnerLiveness({ pid: child.pid!, startTime, argv: ['/somewhere/node', '/elsewhere/dist/cli/main.js', 'run'] })).toBe('alive')
      expect(runnerLiveness({ pid: child.pid!, startTime: startTime! - 1, argv: [] })).toBe('dead')
      // A journal from before start times were recorded: the process must have started by its run line.
      expect(runnerLiveness({ pid: child.pid!, at: Date.now(), argv: [] })).toBe('alive')
      expect(runnerLiveness({ pid: child.pid!, at: Date.now() - 60_000, argv: [] })).toBe('dead')
    } finally {
      child.kill('SIGKILL')
      await new Promise(done => child.once('exit', done))
    }
    expect(runnerLiveness({ pid: child.pid!, startTime: 1, argv: [] })).toBe('dead')
  })
})

describe('vitest-memory why (the command)', () => {
  const dir = mkdtempSync(join(tmpdir(), 'vm-why-'))

  /** A long CI run's journal: `files` files of `samplesPerFile` samples each, the last one still running. */
  function longJournal(files: number, samplesPerFile: number): string {
    const out = [JSON.stringify(RUN)]
    let at = 1001
    for (let i = 0; i < files; i++) {
      const file = `test/f${i}.test.ts`
      out.push(JSON.stringify({ t: 'file-start', at: at++, file, project: '', pid: 100 + i, limitBytes: null }))
      for (let j = 0; j < samplesPerFile; j++)
        out.push(JSON.stringify({ t: 'sample', at: at++, file, pid: 100 + i, rssBytes: 1e8 + j * 1e6, treeRssBytes: 1e8 + j * 1e6 }))
      if (i < files - 1)
        out.push(JSON.stringify({ t: 'file-end', at: at++, file, pid: 100 + i, state: 'pass', peakRssBytes: 2e8, treePeakRssBytes: 2e8, durationMs: 10 }))
    }
    out.push(JSON.stringify({ t: 'from-the-future', at: at++ }))
    return `${out.join('\n')}\n`
  }

  test('a 400k-line journal is read in linear time; unknown kinds are said once', async () => {
    const text = longJournal(20_000, 18)
    // CPU time, not wall time: the machine may be busy. Linear is ~1 s; the quadratic reader took minutes.
    const before = process.cpuUsage()
    const analysis = analyzeJournal(text)
    renderWhy(analysis)
    const used = process.cpuUsage(before)
    expect((used.user + used.system) / 1e3).toBeLessThan(10_000)
    // And through the real command.
    const path = join(dir, 'long.jsonl')
    writeFileSync(path, text)
    const result = await run('cli', 'no-pool', ['why', path], { report: false, timeoutMs: 120_000 })
    expect(result.code, result.output).toBe(0)
    expect(result.stdout).toContain('The runner died while test/f19999.test.ts was running')
    expect(result.stdout).toContain('Heaviest finished files (of 19999):')
    expect(result.stdout.split('\n').filter(line => line.includes('from-the-future'))).toEqual([
      '(1 line of a kind this version does not know, skipped: from-the-future ×1; a newer vitest-memory wrote them.)',
    ])
  }, 130_000)

  test('prints the story and exits 0', async () => {
    const path = join(dir, 'journal.jsonl')
    writeFileSync(path, lines(RUN, ...LIGHT, ...HEAVY))
    const result = await run('cli', 'no-pool', ['why', path], { report: false })
    expect(result.code, result.output).toBe(0)
    expect(result.stdout).toContain('The runner died while test/heavy.test.ts was running')
  })

  test('a corrupt or missing journal: one line, exit 2', async () => {
    const corrupt = join(dir, 'corrupt.jsonl')
    writeFileSync(corrupt, '\u0000\u0001 binary junk\n{"t":"run"}\n')
    for (const path of [corrupt, join(dir, 'missing.jsonl')]) {
      const result = await run('cli', 'no-pool', ['why', path], { report: false })
      expect(result.code, result.output).toBe(2)
      expect(result.stderr.trim().split('\n')).toHaveLength(1)
      expect(result.stderr).toMatch(/^vitest-memory: (no journal at|.* is not a readable journal: line 1)/)
    }
  })
})
