// The journal of a run that is still going, or of one of two runs at once: `why` tells about the
// right run. A runner started through a bin link (npm's, npx) is seen alive; a second run at once
// writes its own journal instead of rotating the first's away.
import { spawn, type ChildProcess } from 'node:child_process'
import { existsSync, mkdirSync, readdirSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { expect, test } from 'vitest'
import { CLI, cleanEnv, copyFixture, run, TARGET } from './helpers.js'

/** Polls until `check` holds (the runs are real processes on a busy machine). */
async function until(check: () => boolean, what: string, timeoutMs = 30_000): Promise<void> {
  const deadline = Date.now() + timeoutMs
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`)
    await new Promise(done => setTimeout(done, 50))
  }
}

function exited(child: ChildProcess): Promise<void> {
  return new Promise(done => (child.exitCode !== null || child.signalCode !== null ? done() : child.once('exit', () => done())))
}

test('a run started through a bin link is alive to `why`; a second run at once keeps its own journal; after the first is SIGKILLed `why` tells of the first', async () => {
  const root = copyFixture('untrusted')
  // npm's bin: a link to dist/cli/main.js, started by its link name (so /proc's argv is not process.argv).
  mkdirSync(join(root, 'bin'))
  symlinkSync(CLI, join(root, 'bin/vitest-memory'))
  const journal = join(root, '.vitest-memory/journal.jsonl')
  const first = spawn(TARGET.node, [join(root, 'bin/vitest-memory'), 'run', '--test-timeout=120000'], {
    cwd: root,
    env: cleanEnv({ UNTRUSTED_SLEEP_MS: '60000' }),
    stdio: 'ignore',
  })
  try {
    await until(() => existsSync(journal) && readFileSync(journal, 'utf8').includes('"file":"b.test.ts"'), 'the first run to start b.test.ts')
    const alive = await run('cli', root, ['why'], { report: false })
    expect(alive.code, alive.output).toBe(0)
    expect(alive.stdout).toContain(`The runner (pid ${first.pid}) is still running: this journal is not an ending.`)

    const second = await run('cli', root, ['run'], { report: false })
    expect(second.code, second.output).toBe(0)
    const own = `journal.${second.output.match(/another run \(pid \d+\) was writing \.vitest-memory\/journal\.jsonl when this one started; this run's journal is \.vitest-memory\/journal\.(\d+)\.jsonl\./)?.[1]}.jsonl`
    expect(own, second.output).not.toBe('journal.undefined.jsonl')
    expect(readFileSync(join(root, '.vitest-memory', own), 'utf8')).toContain('"t":"run-end"')
    // The first's journal was not rotated away.
    expect(existsSync(`${journal}.previous`)).toBe(false)
    expect(readFileSync(journal, 'utf8')).toContain(`"pid":${first.pid}`)

    first.kill('SIGKILL')
    await exited(first)
    const died = await run('cli', root, ['why'], { report: false })
    expect(died.code, died.output).toBe(0)
    expect(died.stdout).toContain('The runner died while b.test.ts was running')
    expect(died.stdout).not.toContain('finished normally')
    expect(died.stdout).toContain(`Another run at once wrote its own journal: .vitest-memory/${own} (vitest-memory why .vitest-memory/${own}).`)
    // The lock the killed run left is broken by the next run, which takes the usual journal.
    const third = await run('cli', root, ['run'], { report: false })
    expect(third.code, third.output).toBe(0)
    expect(third.output).not.toContain('another run')
    expect(readdirSync(join(root, '.vitest-memory')).filter(name => name.endsWith('.lock'))).toEqual([])
  } finally {
    first.kill('SIGKILL')
    await exited(first)
  }
})

/** A finished run's journal, as if the previous run had written it. */
function seedPreviousJournal(root: string): string {
  const text = [
    { t: 'run', at: Date.now() - 60_000, pid: 1, argv: [], cwd: root, limitBytes: null, limits: [], totalMemoryBytes: 8e9, cgroupLimitBytes: null, cpus: 2 },
    { t: 'run-end', at: Date.now() - 50_000, durationMs: 10_000 },
  ]
    .map(entry => JSON.stringify(entry))
    .join('\n')
  mkdirSync(join(root, '.vitest-memory'))
  writeFileSync(join(root, '.vitest-memory/journal.jsonl'), `${text}\n`)
  return `${text}\n`
}

test('a signal while the config still loads: `why` tells of this run, stopped, not of the previous one', async () => {
  const root = copyFixture('untrusted')
  const previous = seedPreviousJournal(root)
  const journal = join(root, '.vitest-memory/journal.jsonl')
  // The config takes 60 s to load: no test process starts before the signal.
  const runner = spawn(TARGET.node, [CLI, 'run'], { cwd: root, env: cleanEnv({ UNTRUSTED_CONFIG_DELAY_MS: '60000' }), stdio: 'ignore' })
  try {
    await until(() => readFileSync(journal, 'utf8').includes(`"pid":${runner.pid},`), "the run's own journal")
    runner.kill('SIGTERM')
    await exited(runner)
  } finally {
    runner.kill('SIGKILL')
  }
  const why = await run('cli', root, ['why'], { report: false })
  expect(why.code, why.output).toBe(0)
  expect(why.stdout).toContain(`Run of pid ${runner.pid} started`)
  expect(why.stdout).toMatch(/The runner was stopped by SIGTERM, [\d.]+ m?s into the run while no test file was running\./)
  expect(readFileSync(`${journal}.previous`, 'utf8')).toBe(previous)
})

test('a config that fails to load: `why` says the runner exited with its code, not that it was killed', async () => {
  const root = copyFixture('untrusted')
  seedPreviousJournal(root)
  const failed = await run('cli', root, ['run'], { report: false, env: { UNTRUSTED_CONFIG_THROW: '1' } })
  expect(failed.code, failed.output).toBe(1)
  const why = await run('cli', root, ['why'], { report: false })
  expect(why.stdout).toContain(`The runner exited with code 1`)
  expect(why.stdout).not.toContain('killed without warning')
  expect(why.stdout).not.toContain('finished normally')
})
