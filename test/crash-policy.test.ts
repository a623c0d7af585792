// classifyCrash is pure: each kind of death, with made-up facts, gets the right cause and fix.
import { describe, expect, test } from 'vitest'
import { classifyCrash, crashMessage, type CrashFacts } from '../src/policy/crash.js'

const GB = 1e9
const facts = (over: Partial<CrashFacts>): CrashFacts => ({
  file: 'test/a.test.ts',
  pid: 42,
  signal: null,
  exitCode: null,
  peakRssBytes: 200e6,
  durationMs: 4100,
  stderrTail: '',
  limitBreach: null,
  oomKillsWhileRunning: 0,
  machineMemoryBytes: 8 * GB,
  ...over,
})

describe('classifyCrash', () => {
  test('our own limit: killed, with the limit and its source', () => {
    const f = facts({
      signal: 'SIGKILL',
      limitBreach: { treeRssBytes: 2.3 * GB, limitBytes: 2 * GB, limitSource: 'global', afterMs: 4100, heaviest: '77 node worker.js' },
    })
    const verdict = classifyCrash(f)
    expect(verdict).toMatchObject({ state: 'killed', cause: 'memory-limit' })
    expect(crashMessage(f, verdict).split('\n')[0]).toBe(
      'killed by vitest-memory: tree RSS 2.30 GB exceeded limit 2.00 GB after 4.10 s (heaviest: 77 node worker.js)',
    )
  })

  test("V8's heap message on stderr wins over the signal it dies with", () => {
    const verdict = classifyCrash(facts({ signal: 'SIGABRT', stderrTail: 'FATAL ERROR: Reached heap limit Allocation failed - JavaScript heap out of memory' }))
    expect(verdict).toMatchObject({ state: 'crash', cause: 'v8-heap' })
    expect(verdict.fix).toContain('--max-old-space-size')
  })

  test("SIGKILL with a peak near the machine's memory is the OOM killer", () => {
    const verdict = classifyCrash(facts({ signal: 'SIGKILL', peakRssBytes: 6 * GB, oomKillsWhileRunning: null }))
    expect(verdict.cause).toBe('oom-killer')
    expect(verdict.explanation).toContain("75% of the machine's 8.00 GB")
    expect(verdict.fix).toContain('--memory-limit')
  })

  test('SIGKILL while the kernel counted an OOM kill is the OOM killer, whatever the peak', () => {
    expect(classifyCrash(facts({ signal: 'SIGKILL', oomKillsWhileRunning: 1 })).explanation).toContain('the kernel counted an OOM kill')
  })

  test('SIGKILL with a small peak and no OOM kill counted came from outside', () => {
    const verdict = classifyCrash(facts({ signal: 'SIGKILL' }))
    expect(verdict.cause).toBe('sigkill')
    expect(verdict.explanation).toContain('timeout')
  })

  test('SIGSEGV is a native crash, SIGABRT an abort, another signal is named, an exit code is an exit', () => {
    expect(classifyCrash(facts({ signal: 'SIGSEGV' })).cause).toBe('native-crash')
    expect(classifyCrash(facts({ signal: 'SIGABRT' })).cause).toBe('abort')
    expect(classifyCrash(facts({ signal: 'SIGUSR2' })).explanation).toContain('SIGUSR2')
    const exit = classifyCrash(facts({ exitCode: 3 }))
    expect(exit).toMatchObject({ state: 'crash', cause: 'exit' })
    expect(exit.explanation).toContain('code 3')
  })

  test('the message names the file, pid, signal or code, time and peak', () => {
    const f = facts({ signal: 'SIGSEGV' })
    expect(crashMessage(f, classifyCrash(f))).toMatch(
      /^the process running test\/a\.test\.ts \(pid 42\) was killed by SIGSEGV after 4\.10 s, before the file finished; peak RSS before death 200 MB\nlikely cause: .*\ntry: /,
    )
    const e = facts({ exitCode: 3 })
    expect(crashMessage(e, classifyCrash(e))).toContain('exited with code 3 after 4.10 s')
  })

  test('sizes that round alike get more digits', () => {
    const f = facts({ limitBreach: { treeRssBytes: 250.4e6, limitBytes: 250e6, limitSource: 'comment', afterMs: 700, heaviest: '1 node' } })
    expect(crashMessage(f, classifyCrash(f))).toContain('tree RSS 250.4 MB exceeded limit 250.0 MB')
  })
})
