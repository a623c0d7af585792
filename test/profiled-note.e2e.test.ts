// Under --heap-profile=peak the profiler lives in the measured process and nothing is subtracted:
// the run says so under the table's title and in the JSON report; without it, nothing is said.
import { expect, test } from 'vitest'
import { PROFILED_NOTE } from '../src/report/table.js'
import { run } from './helpers.js'

test('--heap-profile=peak: the table and the report say every figure includes the profiler', async () => {
  const [profiled, plain] = await Promise.all([
    run('cli', 'measure', ['run', 'baseline', '--heap-profile=peak', '--no-memory-history', '--no-memory-journal']),
    run('cli', 'measure', ['run', 'baseline', '--no-memory-history', '--no-memory-journal']),
  ])
  expect(profiled.code, profiled.output).toBe(0)
  // right under the table's title and its method line
  const lines = profiled.stdout.split('\n')
  const method = lines.findIndex(line => line.includes('VmHWM'))
  expect(lines[method + 1]?.trim(), profiled.stdout).toBe(PROFILED_NOTE)
  expect(profiled.report?.run.heapProfiledAtPeak).toBe(true)
  expect(plain.code, plain.output).toBe(0)
  expect(plain.stdout).not.toContain('heap profiler')
  expect(plain.report?.run.heapProfiledAtPeak).toBeUndefined()
})
