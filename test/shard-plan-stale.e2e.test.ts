// A plan that predates a file (or leaves one out): the file would run in no shard while every
// shard passes. The last shard runs it and names it; the other shards run only their own files.
import { mkdtempSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { expect, test } from 'vitest'
import type { ShardPlan } from '../src/policy/shard-plan.js'
import { run } from './helpers.js'

const shard = (index: number, files: string[]) => ({ index, files, estimatedDurationMs: 100, heaviestPeakBytes: 60e6, sumPeakBytes: 60e6 })

test('a collected file in no shard is named and run by the last shard', async () => {
  const planPath = join(mkdtempSync(join(tmpdir(), 'vm-stale-plan-')), 'plan.json')
  // Written before test/light-2.test.ts existed; the heavy files are left out of this run.
  const plan: ShardPlan = { schemaVersion: 1, shard: [1, 2], shards: [shard(1, ['test/light-1.test.ts']), shard(2, [])], unmeasured: [] }
  writeFileSync(planPath, JSON.stringify(plan))
  const common = ['--shard-plan', planPath, '--no-memory-history', '--exclude', '**/heavy-*']
  const [first, last] = await Promise.all([1, 2].map(i => run('cli', 'shards', ['run', '--shard', String(i), ...common])))

  expect(first.code, first.output).toBe(0)
  expect(first.report?.files.map(f => f.file)).toEqual(['test/light-1.test.ts'])
  expect(first.output).not.toContain('in no shard')

  expect(last.code, last.output).toBe(0)
  expect(last.stderr).toContain(
    `vitest-memory: 1 test file is in no shard of ${planPath} (added after it was written?): test/light-2.test.ts; shard 2, the last, runs it. Write a new plan with "vitest-memory plan --shards 2 -o ${planPath}".`,
  )
  expect(last.report?.files.map(f => f.file)).toEqual(['test/light-2.test.ts'])
})
