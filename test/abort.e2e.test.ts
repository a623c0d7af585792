// The runner itself stopped (SIGTERM, as a CI timeout does) or killed (SIGKILL, as the OOM killer
// does) while a heavy file runs: the journal names the file and its last RSS, `why` says so, and
// no process the run started survives.
import { spawn } from 'node:child_process'
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { describe, expect, test } from 'vitest'
import type { MemoryReport } from '../src/record/report.js'
import { cleanEnv, CLI, fixture, run, TARGET } from './helpers.js'
import { recordedPids, waitGone } from './pids.js'

const EARLIER_REPORT = `${JSON.stringify({ schemaVersion: 1, run: { complete: 'earlier' }, files: [] })}\n`

interface Stopped {
  code: number | null
  signal: NodeJS.Signals | null
  output: string
  journal: string
  journalText: string
  reportPath: string
  pidDir: string
  workerPids: number[]
}

/** Runs the abort fixture, waits until heavy.test.ts has grown past 250 MB, then signals the runner. */
async function runAndSignal(signal: NodeJS.Signals): Promise<Stopped> {
  const dir = mkdtempSync(join(tmpdir(), 'vm-abort-'))
  const journal = join(dir, 'journal.jsonl')
  const reportPath = join(dir, 'report.json')
  const pidDir = dir
  // A complete report from an earlier run: a stopped run must not replace it.
  writeFileSync(reportPath, EARLIER_REPORT)
  const runner = spawn(TARGET.node, [CLI, 'run', '--memory-journal', journal, '--memory-report', reportPath], {
    cwd: fixture('abort'),
    env: cleanEnv({ VM_PID_DIR: pidDir }),
  })
  let output = ''
  runner.stdout.on('data', chunk => {
    output += chunk
  })
  runner.stderr.on('data', chunk => {
    output += chunk
  })
  const exited = new Promise<[number | null, NodeJS.Signals | null]>(done => runner.on('close', (code, sig) => done([code, sig])))
  const heavyGrown = () =>
    existsSync(journal) &&
    readFileSync(journal, 'utf8')
      .split('\n')
      .some(line => {
        const entry = line ? JSON.parse(line) : null
        return entry?.t === 'sample' && entry.file === 'heavy.test.ts' && entry.treeRssBytes > 250e6
      })
  const deadline = Date.now() + 60_000
  while (!heavyGrown()) {
    if (Date.now() > deadline) throw new Error(`heavy.test.ts never grew:\n${output}`)
    await new Promise(done => setTimeout(done, 100))
  }
  runner.kill(signal)
  const [code, gotSignal] = await exited
  const journalText = readFileSync(journal, 'utf8')
  const workerPids = journalText
    .split('\n')
    .filter(Boolean)
    .map(l => JSON.parse(l))
    .filter(e => e.t === 'file-start')
    .map(e => e.pid as number)
  return { code, signal: gotSignal, output, journal, journalText, reportPath, pidDir, workerPids }
}

describe('SIGTERM to the runner while a heavy file runs', () => {
  test('kills every child, journals `aborted`, writes the partial report, exits 143', async () => {
    const stopped = await runAndSignal('SIGTERM')
    expect(stopped.code, stopped.output).toBe(143)
    expect(stopped.output).toContain(
      `vitest-memory: stopped by SIGTERM; killed heavy.test.ts; partial report in ${stopped.reportPath.replace(/\.json$/, '.partial.json')} (the last complete report is kept)`,
    )
    // the last complete report is untouched; the partial one is beside it, named as such
    expect(readFileSync(stopped.reportPath, 'utf8')).toBe(EARLIER_REPORT)

    const last = JSON.parse(stopped.journalText.trim().split('\n').at(-1)!)
    expect(last).toMatchObject({ t: 'aborted', signal: 'SIGTERM', running: [{ file: 'heavy.test.ts' }] })
    expect(last.running[0].treeRssBytes).toBeGreaterThan(250e6)

    const report = JSON.parse(readFileSync(stopped.reportPath.replace(/\.json$/, '.partial.json'), 'utf8')) as MemoryReport
    expect(report.run.abortedBy).toBe('SIGTERM')
    const heavy = report.files.find(f => f.file === 'heavy.test.ts')!
    expect(heavy).toMatchObject({ state: 'aborted', signal: 'SIGTERM' })
    expect(heavy.treePeakRssBytes!).toBeGreaterThan(250e6)

    // the worker and the sleeping subprocess heavy.test.ts started
    expect(recordedPids(stopped.pidDir)).toHaveLength(1)
    expect(stopped.workerPids.length).toBeGreaterThan(0)
    expect(await waitGone(stopped.pidDir, stopped.workerPids)).toEqual([])

    const why = await run('cli', 'abort', ['why', stopped.journal], { report: false })
    expect(why.code, why.output).toBe(0)
    expect(why.stdout).toMatch(
      /The runner was stopped by SIGTERM, [\d.]+ s into the run while heavy\.test\.ts was running; its RSS was [2-9]\d\d MB and rising [\d.]+ MB\/s\./,
    )
  })
})

describe('SIGKILL to the runner while a heavy file runs', () => {
  test('the journal still names the file and its last RSS; `why` says the runner died; the child follows it', async () => {
    const killed = await runAndSignal('SIGKILL')
    expect(killed.signal).toBe('SIGKILL')
    const entries = killed.journalText
      .split('\n')
      .filter(Boolean)
      .map(l => JSON.parse(l))
    expect(entries.some(e => e.t === 'aborted' || e.t === 'run-end')).toBe(false)
    const lastSample = entries.filter(e => e.t === 'sample' && e.file === 'heavy.test.ts').at(-1)
    expect(lastSample.treeRssBytes).toBeGreaterThan(250e6)

    const why = await run('cli', 'abort', ['why', killed.journal], { report: false })
    expect(why.code, why.output).toBe(0)
    expect(why.stdout).toMatch(/The runner died while heavy\.test\.ts was running; its RSS was [2-9]\d\d MB and rising [\d.]+ MB\/s\./)

    // the runner could not clean up: the child's dead man's switch takes its process group down
    expect(await waitGone(killed.pidDir, killed.workerPids)).toEqual([])
  })
})
