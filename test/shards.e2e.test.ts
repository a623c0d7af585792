// Shards: a plan from measured history keeps the heavy files apart; shard runs with the blob
// reporter merge (vitest-memory --merge-reports and plain vitest --merge-reports) into one memory
// report with every file's figures, the same file set as an unsharded run.
import { mkdtempSync, readFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { beforeAll, describe, expect, test } from 'vitest'
import type { ShardPlan } from '../src/policy/shard-plan.js'
import type { MemoryReport } from '../src/record/report.js'
import { MiB, run, type RunResult } from './helpers.js'

const HEAVY = ['test/heavy-a.test.ts', 'test/heavy-b.test.ts']
const files = (report: MemoryReport | null) => report!.files.map(f => f.file).sort()
const peaks = (report: MemoryReport | null) => Object.fromEntries(report!.files.map(f => [f.file, f.peakRssBytes]))

describe('shards', () => {
  const dir = mkdtempSync(join(tmpdir(), 'vm-shards-'))
  const history = join(dir, 'history.json')
  const planPath = join(dir, 'plan.json')
  let unsharded: RunResult
  let plan: ShardPlan

  beforeAll(async () => {
    unsharded = await run('cli', 'shards', ['run', '--memory-history', history])
    expect(unsharded.code, unsharded.output).toBe(0)
    const planned = await run('cli', 'shards', ['plan', '--shards', '2', '--memory-history', history, '-o', planPath], { report: false })
    expect(planned.code, planned.output).toBe(0)
    // With -o the file is the plan and stdout one line, not the JSON again.
    plan = JSON.parse(readFileSync(planPath, 'utf8'))
    expect(planned.stdout).toBe(`vitest-memory: wrote a plan of 2 shards for ${plan.shards.flatMap(s => s.files).length} files to ${planPath}\n`)
  })

  test('`plan --shards 2` prints a matrix and keeps the two heavy files apart', () => {
    expect(plan.shard).toEqual([1, 2])
    expect(plan.shards.flatMap(s => s.files).sort()).toEqual(files(unsharded.report))
    const shardOf = (file: string) => plan.shards.find(s => s.files.includes(file))!.index
    expect(shardOf(HEAVY[0])).not.toBe(shardOf(HEAVY[1]))
    expect(plan.unmeasured).toEqual([])
    for (const shard of plan.shards) expect(shard.heaviestPeakBytes).toBeGreaterThan(150 * MiB)
  })

  test('planned shards with --reporter=blob merge into the unsharded file set, with every figure', async () => {
    const blobs = join(dir, 'planned-blobs')
    const shards = await Promise.all(
      [1, 2].map(i =>
        run('cli', 'shards', [
          'run',
          '--shard-plan',
          planPath,
          '--shard',
          String(i),
          '--no-memory-history',
          '--reporter=blob',
          `--outputFile.blob=${join(blobs, `blob-${i}.json`)}`,
        ]),
      ),
    )
    shards.forEach((shard, i) => {
      expect(shard.code, shard.output).toBe(0)
      expect(files(shard.report)).toEqual([...plan.shards[i].files].sort())
    })
    const merged = await run('cli', 'shards', ['--merge-reports', blobs, '--no-memory-history'])
    expect(merged.code, merged.output).toBe(0)
    expect(files(merged.report)).toEqual(files(unsharded.report))
    // The merged figures are the shards' own measurements, carried on the tasks' meta.
    expect(peaks(merged.report)).toEqual({ ...peaks(shards[0].report), ...peaks(shards[1].report) })
    for (const file of merged.report!.files) {
      expect(file.shard, file.file).toBe(`${plan.shards.find(s => s.files.includes(file.file))!.index}/2`)
      expect(file.treePeakRssBytes, file.file).toBeGreaterThan(30 * MiB)
      expect(file.startedAtMs, file.file).toBeGreaterThanOrEqual(0)
    }
    expect(merged.report!.files.find(f => f.file === HEAVY[0])!.peakRssBytes).toBeGreaterThan(150 * MiB)
    expect(merged.report!.timeline).toBeUndefined()
  })

  test("Vitest's own --shard i/2 with plain vitest and plain `vitest --merge-reports` give the same file set", async () => {
    const blobs = join(dir, 'vitest-blobs')
    const shards = await Promise.all(
      [1, 2].map(i =>
        run('vitest', 'shards', ['run', `--shard=${i}/2`, '--reporter=blob', `--outputFile.blob=${join(blobs, `blob-${i}.json`)}`], {
          env: { VITEST_MEMORY_HISTORY: join(dir, 'unused-history.json') },
        }),
      ),
    )
    for (const shard of shards) expect(shard.code, shard.output).toBe(0)
    const merged = await run('vitest', 'shards', ['--merge-reports', blobs], { env: { VITEST_MEMORY_HISTORY: join(dir, 'unused-history.json') } })
    expect(merged.code, merged.output).toBe(0)
    expect(merged.stdout).toContain('MEMORY')
    expect(files(merged.report)).toEqual(files(unsharded.report))
    for (const file of merged.report!.files) {
      expect(file.peakRssBytes, file.file).toBeGreaterThan(30 * MiB)
      expect(file.shard, file.file).toMatch(/^[12]\/2$/)
    }
  })

  test.each([
    [['--shard-plan', 'missing.json', '--shard', '1'], 'Cannot read the shard plan missing.json: no such file.'],
    [['--shard-plan', 'PLAN'], '--shard-plan needs --shard i: write "--shard-plan PLAN --shard 1".'],
    [['--shard-plan', 'PLAN', '--shard', '1/2'], 'Invalid --shard "1/2" with --shard-plan: give the shard\'s number, 1 to 2 (not i/n).'],
  ])('%j exits 2 with one line', async (args, message) => {
    const result = await run('cli', 'shards', ['run', ...args.map(a => (a === 'PLAN' ? planPath : a))], { report: false })
    expect(result.code).toBe(2)
    expect(result.stderr.trim()).toContain(`vitest-memory: ${message.replace('PLAN', planPath)}`)
  })

  test('`plan` without --shards or --memory is a usage error', async () => {
    const result = await run('cli', 'shards', ['plan'], { report: false })
    expect(result.code).toBe(2)
    expect(result.stderr).toContain('vitest-memory: --shards N or --memory SIZE is required. Usage: vitest-memory plan --shards N | --memory SIZE')
  })
})

describe('a crash in one shard survives --merge-reports', () => {
  test("the merged report keeps the crashed file's state, signal, cause, peak and shard", async () => {
    const blobs = join(mkdtempSync(join(tmpdir(), 'vm-crash-shards-')), 'blobs')
    const shards = await Promise.all(
      [1, 2].map(i =>
        run('cli', 'crash', [
          'run',
          'sigkill.test.ts',
          'ok.test.ts',
          `--shard=${i}/2`,
          '--passWithNoTests',
          '--no-memory-history',
          '--reporter=blob',
          `--outputFile.blob=${join(blobs, `blob-${i}.json`)}`,
        ]),
      ),
    )
    const crashed = shards.flatMap(s => s.report?.files.filter(f => f.file === 'sigkill.test.ts') ?? [])
    expect(crashed, shards.map(s => s.output).join('\n')).toHaveLength(1)
    const inShard = crashed[0]
    expect(inShard).toMatchObject({ state: 'crash', signal: 'SIGKILL', crash: { cause: 'sigkill' } })
    const shardIndex = shards.findIndex(s => s.report?.files.some(f => f.file === 'sigkill.test.ts')) + 1

    const merged = await run('cli', 'crash', ['--merge-reports', blobs, '--no-memory-history'])
    expect(merged.code, merged.output).toBe(1)
    const entry = merged.report!.files.find(f => f.file === 'sigkill.test.ts')!
    expect(entry).toMatchObject({
      state: 'crash',
      signal: 'SIGKILL',
      exitCode: null,
      shard: `${shardIndex}/2`,
      crash: { cause: 'sigkill', explanation: inShard.crash!.explanation, fix: inShard.crash!.fix },
      peakRssBytes: inShard.peakRssBytes,
      treePeakRssBytes: inShard.treePeakRssBytes,
    })
    expect(entry.peakRssBytes!).toBeGreaterThan(150 * MiB)
    expect(merged.report!.files.find(f => f.file === 'ok.test.ts')!.state).toBe('pass')
    expect(merged.stdout).toMatch(/! sigkill\.test\.ts .* crashed \(SIGKILL\)/)
  })
})
