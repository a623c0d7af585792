// A test file's process that dies mid-file is a FAILED file, reported by Vitest itself, with the
// right cause; the other files run on; nothing the run started survives it.
import { mkdtempSync, readFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { beforeAll, describe, expect, test } from 'vitest'
import { fileEntry, run, type RunResult } from './helpers.js'
import { waitGone } from './pids.js'

describe('crashed files (plain `vitest run`, memoryPool in the config, execArgv --max-old-space-size=96)', () => {
  let result: RunResult
  let junit: string
  let pidDir: string

  beforeAll(async () => {
    pidDir = mkdtempSync(join(tmpdir(), 'vm-pids-'))
    const junitPath = join(pidDir, 'junit.xml')
    result = await run('vitest', 'crash', ['run', '--reporter=default', '--reporter=junit', `--outputFile.junit=${junitPath}`], { env: { VM_PID_DIR: pidDir } })
    junit = readFileSync(junitPath, 'utf8')
  })

  test('exit 1; the summary counts every crashed file as failed, the others pass', () => {
    expect(result.code, result.output).toBe(1)
    // sigkill, heap-oom, segv, exit-code crash; exit.test.ts fails normally; ok.test.ts passes
    expect(result.stdout).toMatch(/Test Files\s+5 failed \| 1 passed \(6\)/)
    expect(result.output).not.toContain('Worker exited unexpectedly')
    expect(result.output).not.toContain('Unhandled Error')
    expect(fileEntry(result, 'ok.test.ts').state).toBe('pass')
  })

  test('no empty "Failed Suites": a file whose running test got the error is counted there only with its own error', () => {
    const section = /Failed Suites (\d+)[^\n]*\n([\s\S]*?)(?:Failed Tests|Test Files)/.exec(result.output)
    if (!section) return
    const listed = section[2].split('\n').filter(line => /^ FAIL /.test(line))
    expect(listed).toHaveLength(Number(section[1]))
    expect(listed.join('\n')).not.toContain('sigkill.test.ts')
  })

  test('SIGKILL: the error names the file, the signal, the peak before death and the time', () => {
    expect(result.output).toMatch(
      /TestFileCrashed: the process running sigkill\.test\.ts \(pid \d+\) was killed by SIGKILL after [\d.]+ m?s, before the file finished; peak RSS before death 2\d\d MB/,
    )
    const entry = fileEntry(result, 'sigkill.test.ts')
    expect(entry).toMatchObject({ state: 'crash', signal: 'SIGKILL', exitCode: null, crash: { cause: 'sigkill' } })
    // it held 150 MiB on top of the ~60 MB baseline before it died
    expect(entry.peakRssBytes!).toBeGreaterThan(150 * 1024 * 1024 + 30e6)
  })

  test('V8 heap limit: the cause is the heap, the fix is --max-old-space-size', () => {
    expect(fileEntry(result, 'heap-oom.test.ts')).toMatchObject({ state: 'crash', signal: 'SIGABRT', crash: { cause: 'v8-heap' } })
    expect(result.output).toMatch(/heap-oom\.test\.ts[\s\S]*likely cause: V8 ran out of JavaScript heap[\s\S]*--max-old-space-size/)
  })

  test('SIGSEGV: a native crash', () => {
    expect(fileEntry(result, 'segv.test.ts')).toMatchObject({ state: 'crash', signal: 'SIGSEGV', crash: { cause: 'native-crash' } })
    expect(result.output).toContain('likely cause: a native crash (SIGSEGV)')
  })

  test("a real exit(3) is a crash with exit code 3; process.exit(3) in a test is Vitest's own failure", () => {
    expect(fileEntry(result, 'exit-code.test.ts')).toMatchObject({ state: 'crash', signal: null, exitCode: 3, crash: { cause: 'exit' } })
    expect(result.output).toMatch(/exit-code\.test\.ts \(pid \d+\) exited with code 3/)
    expect(fileEntry(result, 'exit.test.ts').state).toBe('fail')
    expect(result.output).toContain('process.exit unexpectedly called with "3"')
  })

  test('every reporter sees it: JUnit has the failures with the cause', () => {
    expect(junit).toMatch(/<testsuites [^>]*failures="[1-9]/)
    expect(junit).toContain('type="TestFileCrashed"')
    expect(junit).toContain('was killed by SIGSEGV')
    expect(junit).toContain('was killed by SIGKILL')
  })

  test('the memory table marks crashed files with their signal', () => {
    expect(result.stdout).toMatch(/! sigkill\.test\.ts .* crashed \(SIGKILL\)/)
    expect(result.stdout).toMatch(/! exit-code\.test\.ts .* crashed \(exit 3\)/)
  })

  test('no orphans: the subprocesses of the crashed and of the passing file are gone', async () => {
    expect(readFileSync(join(pidDir, 'pids'), 'utf8').trim().split('\n')).toHaveLength(2)
    expect(await waitGone(pidDir)).toEqual([])
  })
})
