// A malformed `@memory-budget` / `@memory-limit` comment fails that file alone, with one line that
// says what to fix; the rest of the run goes on and everything a run writes is written.
import { mkdtempSync, readFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { expect, test } from 'vitest'
import { run } from './helpers.js'

const BAD: [file: string, line: RegExp][] = [
  ['garbage.test.ts', /MemoryAnnotationError: vitest-memory: Invalid @memory-budget in garbage\.test\.ts "garbage": write it with a unit/],
  ['zero.test.ts', /MemoryAnnotationError: vitest-memory: Invalid @memory-limit in zero\.test\.ts "0": a bare number has no unit/],
  ['huge.test.ts', /MemoryAnnotationError: vitest-memory: Invalid @memory-budget in huge\.test\.ts "1e400GB"/],
  ['fullwidth.test.ts', /MemoryAnnotationError: vitest-memory: Invalid @memory-limit in fullwidth\.test\.ts "５MB"/],
]

test('each bad comment fails its own file; the good file runs; table, report and journal are complete', async () => {
  const journal = join(mkdtempSync(join(tmpdir(), 'vm-bad-annotation-')), 'journal.jsonl')
  const result = await run('cli', 'bad-annotation', ['run', '--memory-journal', journal])
  expect(result.code, result.output).toBe(1)
  expect(result.output).not.toMatch(/Unhandled|UsageError|\n\s+at /)
  for (const [, line] of BAD) expect(result.output).toMatch(line)
  expect(result.output).toMatch(/Test Files\s+4 failed \| 1 passed \(5\)/)
  // The run's own outputs: the table, the report with every file, the journal's end.
  expect(result.output).toMatch(/fine\.test\.ts\s+\d+(\.\d+)? MB/)
  expect(result.report?.files.map(f => f.file).sort()).toEqual(['fine.test.ts', ...BAD.map(([file]) => file)].sort())
  expect(result.report?.files.find(f => f.file === 'fine.test.ts')?.peakRssBytes).toBeGreaterThan(0)
  const last = JSON.parse(readFileSync(journal, 'utf8').trim().split('\n').at(-1)!)
  expect(last.t).toBe('run-end')
})
