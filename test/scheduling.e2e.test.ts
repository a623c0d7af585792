// Memory-aware scheduling on real runs: the ceiling holds as seen from outside the runner, and
// spare processes neither change what is measured nor outlive the run.
import { randomUUID } from 'node:crypto'
import { mkdtempSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { describe, expect, test } from 'vitest'
import { fileEntry, MiB, run } from './helpers.js'
import { processesMarked, runWatched } from './process-watch.js'

describe('--max-memory', () => {
  test('with history, heavy files wait for room and the summed RSS stays under the ceiling', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'vm-ceiling-'))
    const history = join(dir, 'history.json')
    const report = join(dir, 'report.json')
    const common = ['run', '--memory-history', history, '--memory-report', report]
    // First run: no ceiling, three workers: three 300 MiB files run side by side.
    const free = await runWatched('ceiling', common)
    expect(free.code, free.output).toBe(0)
    expect(free.peakBelowRunnerBytes).toBeGreaterThan(3 * 300 * MiB)

    // Second run: each heavy file is known to peak at ~360 MB; 900 MB holds two of them.
    const ceiling = 900e6
    const held = await runWatched('ceiling', [...common, '--max-memory', '900MB'])
    expect(held.code, held.output).toBe(0)
    expect(held.output).toMatch(/vitest-memory: waiting for memory: \d+ MB \/ 900 MB in use/)
    expect(held.peakBelowRunnerBytes).toBeGreaterThan(2 * 300 * MiB)
    expect(held.peakBelowRunnerBytes).toBeLessThanOrEqual(ceiling)
  })

  test('a ceiling smaller than one file still runs every file, one at a time', async () => {
    const result = await run('cli', 'ceiling', ['run', '--max-memory', '100MB', '--no-memory-history'])
    expect(result.code, result.output).toBe(0)
    expect(result.stdout).toMatch(/Test Files\s+7 passed/)
    // the ceiling leaves a trace whether or not a file had to wait
    expect(result.stdout).toContain('max memory 100 MB (files start only when they fit)')
    expect(result.report?.run.maxMemoryBytes).toBe(100e6)
  })

  test('a malformed --max-memory is a usage error', async () => {
    const result = await run('cli', 'ceiling', ['run', '--max-memory', 'lots'], { report: false })
    expect(result.code).toBe(2)
    expect(result.stderr).toContain('vitest-memory: Invalid --max-memory "lots"')
  })
})

describe('spare processes', () => {
  test("do not change any file's measured peak by more than a few MB, and leave no process behind", async () => {
    const marker = `VM_SPARE_TEST=${randomUUID()}`
    const [name, value] = marker.split('=')
    const withSpares = await run('cli', 'measure', ['run', '--spare-processes', '2'], { env: { [name]: value } })
    const without = await run('cli', 'measure', ['run', '--spare-processes', '0'])
    expect(withSpares.code, withSpares.output).toBe(0)
    expect(without.code, without.output).toBe(0)
    for (const file of ['baseline.test.ts', 'alloc-200mb.test.ts', 'spike.test.ts']) {
      const a = fileEntry(withSpares, file).peakRssBytes!
      const b = fileEntry(without, file).peakRssBytes!
      expect(Math.abs(a - b), file).toBeLessThan(5 * MiB)
    }
    expect(processesMarked(marker)).toEqual([])
  })
})
