// The hard limit: a file (or its subprocess) growing about 1 GB/s is killed within 10% of its
// limit, reported as `killed` with the limit and the heaviest process, and the rest runs on.
import { mkdtempSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { beforeAll, describe, expect, test } from 'vitest'
import { fileEntry, run, type RunResult } from './helpers.js'
import { recordedPids, waitGone } from './pids.js'

const LIMIT = 400e6

describe('--memory-limit 400MB (CLI), one file with `// @memory-limit 250MB`', () => {
  let result: RunResult
  let pidDir: string

  beforeAll(async () => {
    pidDir = mkdtempSync(join(tmpdir(), 'vm-pids-'))
    result = await run('cli', 'limit', ['run', '--memory-limit', '400MB'], { env: { VM_PID_DIR: pidDir } })
  })

  test('exit 1; the killed files are failed files, the small one passes', () => {
    expect(result.code, result.output).toBe(1)
    expect(result.stdout).toMatch(/Test Files\s+3 failed \| 1 passed \(4\)/)
    expect(fileEntry(result, 'small.test.ts').state).toBe('pass')
  })

  test('a file growing fast is stopped within 10% over its limit (measured peak)', () => {
    const grow = fileEntry(result, 'grow.test.ts')
    expect(grow).toMatchObject({ state: 'killed', signal: 'SIGKILL', limitBytes: LIMIT, limitSource: 'global', crash: { cause: 'memory-limit' } })
    expect(grow.treePeakRssBytes!).toBeGreaterThan(LIMIT)
    expect(grow.treePeakRssBytes!).toBeLessThanOrEqual(LIMIT * 1.1)
    // The heaviest process is the file's own: said so, not as its (cut) command line.
    expect(result.output).toMatch(
      /MemoryLimitExceeded: killed by vitest-memory: tree RSS 4\d\d(\.\d)? MB exceeded limit 400(\.0)? MB after [\d.]+ m?s \(heaviest: \d+ the test file's own process\)/,
    )
    expect(grow.crash!.heaviest).toMatch(/^\d+ the test file's own process$/)
  })

  test('a subprocess growing fast is stopped too; the heaviest process named is the subprocess', () => {
    const sub = fileEntry(result, 'subprocess.test.ts')
    expect(sub).toMatchObject({ state: 'killed', limitBytes: LIMIT })
    expect(sub.treePeakRssBytes!).toBeGreaterThan(LIMIT)
    expect(sub.treePeakRssBytes!).toBeLessThanOrEqual(LIMIT * 1.1)
    // its own process stayed small: the memory was the subprocess's
    expect(sub.peakRssBytes!).toBeLessThan(150e6)
    // pid, then the program by name (never cut: the path of node depends on the machine) and its arguments
    expect(sub.crash!.heaviest).toMatch(/^\d+ node -e /)
    expect(sub.crash!.heaviest!.split(' ')[0]).toBe(String(recordedPids(pidDir)[0]))
  })

  test("the file's own comment wins over the command line", () => {
    const comment = fileEntry(result, 'comment.test.ts')
    expect(comment).toMatchObject({ state: 'killed', limitBytes: 250e6, limitSource: 'comment' })
    expect(comment.treePeakRssBytes!).toBeLessThanOrEqual(250e6 * 1.1)
  })

  test('the killed subprocess does not survive', async () => {
    expect(recordedPids(pidDir)).toHaveLength(1)
    expect(await waitGone(pidDir)).toEqual([])
  })

  test('the table says which files were killed at their limit', () => {
    expect(result.stdout).toMatch(/! grow\.test\.ts .* killed at its limit \(SIGKILL\)/)
  })
})

test('VITEST_MEMORY_LIMIT is the environment form; a malformed limit is a usage error (exit 2)', async () => {
  const env = await run('cli', 'limit', ['run', 'small.test.ts'], { env: { VITEST_MEMORY_LIMIT: '30MB' } })
  expect(env.code, env.output).toBe(1)
  expect(fileEntry(env, 'small.test.ts')).toMatchObject({ state: 'killed', limitBytes: 30e6 })
  const bad = await run('cli', 'limit', ['run', '--memory-limit', '2'])
  expect(bad.code, bad.output).toBe(2)
  expect(bad.stderr.trim()).toBe(
    'vitest-memory: Invalid --memory-limit "2": a bare number has no unit; write it with a unit, e.g. "512MB", "1.5GB", "800MiB", "2GiB" or "25%".',
  )
})
