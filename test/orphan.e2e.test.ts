// The runner SIGKILLed while a test process spins in synchronous code: the process never hears its
// IPC channel close, so only the runner's orphan guard (src/pool/orphan-guard.ts) can end it and
// what it started. Every process of the run is gone 2 s after the runner's death.
import { spawn } from 'node:child_process'
import { existsSync, mkdtempSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { expect, test } from 'vitest'
import { listDescendants } from '../src/measure/descendants.js'
import { cleanEnv, CLI, fixture, TARGET } from './helpers.js'
import { alivePids, recordedPids, waitGone } from './pids.js'

/** What "within 2 s of its runner's death" allows: the guard itself answers in milliseconds. */
const GONE_WITHIN_MS = 2000

test.skipIf(process.platform !== 'linux')('no process of the run outlives a SIGKILLed runner by 2 s, however busy', async () => {
  const pidDir = mkdtempSync(join(tmpdir(), 'vm-orphan-'))
  const runner = spawn(TARGET.node, [CLI, 'run', '--memory-journal', join(pidDir, 'journal.jsonl')], {
    cwd: fixture('orphan-spin'),
    env: cleanEnv({ VM_PID_DIR: pidDir }),
    stdio: ['ignore', 'pipe', 'pipe'],
  })
  let output = ''
  runner.stdout.on('data', chunk => {
    output += chunk
  })
  runner.stderr.on('data', chunk => {
    output += chunk
  })
  const closed = new Promise(done => runner.on('close', done))
  let ofTheRun: number[] = []
  try {
    const deadline = Date.now() + 60_000
    while (!existsSync(join(pidDir, 'spinning'))) {
      if (Date.now() > deadline) throw new Error(`the file never started spinning:\n${output}`)
      await new Promise(done => setTimeout(done, 50))
    }
    // Everything below the runner now: the spinning test process, its subprocess, the guard.
    ofTheRun = [...new Set([...listDescendants(runner.pid!), ...recordedPids(pidDir)])]
    expect(recordedPids(pidDir)).toHaveLength(2)
    runner.kill('SIGKILL')
    await closed
    expect(await waitGone(pidDir, ofTheRun, GONE_WITHIN_MS), output).toEqual([])
  } finally {
    // Never leave a spinning process on the machine, whatever the outcome.
    for (const pid of alivePids([...ofTheRun, ...recordedPids(pidDir)])) {
      try {
        process.kill(pid, 'SIGKILL')
      } catch {}
    }
    runner.kill('SIGKILL')
  }
})
