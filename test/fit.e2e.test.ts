// `plan --memory SIZE`: from a history of five files (~60 to ~375 MB tree peak), the maxWorkers and
// shards that keep a job under SIZE; a file too heavy alone exits 1 (unless memory_intensive: the
// heavy lane); and a real run with the planned maxWorkers stays under SIZE, watched from outside.
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { describe, expect, test } from 'vitest'
import { addMemoryIntensiveTag } from '../src/policy/module-tag.js'
import { BARE_NODE_BYTES, RUNNER_MEMORY_BYTES, type FitPlan } from '../src/policy/job-fit.js'
import { copyFixture, run } from './helpers.js'
import { runWatched } from './process-watch.js'

/** Tree peaks and durations as the fixture measured them (Vitest 4.1, Node 20). */
const MEASURED: [string, number, number][] = [
  ['test/tiny.test.ts', 61.5e6, 700],
  ['test/small.test.ts', 122e6, 810],
  ['test/medium.test.ts', 201e6, 960],
  ['test/large.test.ts', 301e6, 1250],
  ['test/huge.test.ts', 378e6, 1610],
]
const PEAKS = MEASURED.map(([, peak]) => peak).sort((a, b) => b - a)

const dir = mkdtempSync(join(tmpdir(), 'vm-fit-'))

/** A fresh copy of the history (a run adds its own measurements to the one it is given). */
function history(name: string, entries = MEASURED): string {
  const path = join(dir, `${name}.json`)
  writeFileSync(
    path,
    JSON.stringify({
      $schema: 'vitest-memory/schema/history.json',
      schemaVersion: 1,
      entries: entries.map(([file, peak, durationMs]) => ({
        project: '',
        file,
        runs: [{ at: '2026-12-01T10:00:00.000Z', peakRssBytes: peak, treePeakRssBytes: peak, durationMs, state: 'pass' }],
      })),
    }),
  )
  return path
}

async function plan(memory: string, extra: string[] = [], env: Record<string, string> = {}) {
  const result = await run('cli', 'fit', ['plan', '--memory', memory, '--memory-history', history(`plan-${memory}`), ...extra], { report: false, env })
  return { ...result, plan: result.code === 0 ? (JSON.parse(result.stdout) as FitPlan) : null }
}

describe('plan --memory', () => {
  test("1.5GB: several workers, and every shard's worst case under 1.5 GB", async () => {
    const { code, output, plan: fitted, stderr } = await plan('1.5GB')
    expect(code, output).toBe(0)
    expect(fitted!.maxWorkers).toBeGreaterThanOrEqual(2)
    expect(fitted!.memoryBytes).toBe(1.5e9)
    const [shard] = fitted!.shards
    expect(fitted!.shards).toHaveLength(1)
    expect(shard.files).toHaveLength(5)
    expect(shard.maxWorkers).toBe(fitted!.maxWorkers)
    expect(shard.predictedPeakBytes).toBe(RUNNER_MEMORY_BYTES + PEAKS.slice(0, shard.maxWorkers).reduce((a, b) => a + b, 0))
    expect(shard.predictedPeakBytes).toBeLessThanOrEqual(1.5e9)
    expect(shard.maxMemory).toBe(`${(1.5e9 - RUNNER_MEMORY_BYTES) / 1e6}MB`)
    expect(stderr).toContain(`--max-workers ${shard.maxWorkers} --max-memory ${shard.maxMemory}`)
  })

  test('600MB: one worker (the two heaviest files together would not fit)', async () => {
    const { code, output, plan: fitted } = await plan('600MB')
    expect(code, output).toBe(0)
    expect(fitted!.maxWorkers).toBe(1)
    expect(fitted!.shards[0].predictedPeakBytes).toBeLessThanOrEqual(600e6)
  })

  test('200MB: names every file that cannot fit even alone, with its peak, and exits 1 without a plan', async () => {
    const { code, stdout, stderr } = await plan('200MB')
    expect(code).toBe(1)
    expect(stdout).toBe('')
    expect(stderr).toContain('cannot fit in a 200 MB job even alone')
    for (const [file, peak] of MEASURED) {
      if (RUNNER_MEMORY_BYTES + peak > 200e6) expect(stderr).toMatch(new RegExp(`^  ${file} ${(peak / 1e6).toFixed(peak >= 1e8 ? 0 : 1)} MB$`, 'm'))
    }
  })

  test('a memory_intensive file too heavy alone goes to the heavy lane, in no shard, and the plan says so', async () => {
    // Tagged from the history: the last peak above memoryIntensiveAbove.
    const { code, output, plan: fitted, stderr } = await plan('500MB', [], { VITEST_MEMORY_INTENSIVE_ABOVE: '350MB' })
    expect(code, output).toBe(0)
    expect(fitted!.heavyLane).toEqual({
      files: [{ file: 'test/huge.test.ts', peakBytes: 378e6, memoryIntensive: 'history: 378 MB on 2026-12-01' }],
      requiredMemoryBytes: RUNNER_MEMORY_BYTES + 378e6,
      predictedDurationMs: 1610,
    })
    expect(fitted!.shards.flatMap(s => s.files)).not.toContain('test/huge.test.ts')
    expect(stderr).toContain('heavy lane')
    expect(stderr).toMatch(/test\/huge\.test\.ts 378 MB \(memory_intensive: history/)
  })

  test('a `@module-tag memory_intensive` comment puts the file in the heavy lane too', async () => {
    const copy = copyFixture('fit')
    const huge = join(copy, 'test/huge.test.ts')
    writeFileSync(huge, addMemoryIntensiveTag(readFileSync(huge, 'utf8')))
    const result = await run('cli', copy, ['plan', '--memory', '500MB', '--memory-history', history('comment')], { report: false })
    expect(result.code, result.output).toBe(0)
    expect((JSON.parse(result.stdout) as FitPlan).heavyLane!.files).toEqual([{ file: 'test/huge.test.ts', peakBytes: 378e6, memoryIntensive: 'comment' }])
  })

  test('--target-duration picks the fewest shards whose predicted duration meets it', async () => {
    const { code, output, plan: fitted } = await plan('1GB', ['--target-duration', '2s'])
    expect(code, output).toBe(0)
    expect(fitted!.shards.length).toBeGreaterThan(1)
    for (const shard of fitted!.shards) {
      expect(shard.predictedDurationMs).toBeLessThanOrEqual(2000)
      expect(shard.predictedPeakBytes).toBeLessThanOrEqual(1e9)
    }
    const fixed = await plan('1GB', ['--shards', '3'])
    expect(fixed.plan!.shards).toHaveLength(3)
  })

  // Bad flag values (--shards 0, --shards with --target-duration, …): their whole lines are unit
  // tests in usage-lines.test.ts; these need a history on disk.
  test.each([
    ['a missing history', ['--memory', '1GB', '--memory-history', 'MISSING'], /--memory needs a measured history: .*missing\.json does not exist/],
    ['an empty history', ['--memory', '1GB', '--memory-history', 'EMPTY'], /--memory needs a measured history: .*empty\.json has no entries/],
    ['a zero-byte history', ['--memory', '1GB', '--memory-history', 'ZERO'], /--memory needs a measured history, and .*zero\.json is not valid JSON/],
    [
      'SIZE below a bare Node process',
      ['--memory', '30MB', '--memory-history', 'OK'],
      new RegExp(`is less than a bare Node process \\(${BARE_NODE_BYTES / 1e6}\\.0 MB\\)`),
    ],
  ])('%s: one line, exit 2', async (_, args, message) => {
    const paths: Record<string, string> = {
      MISSING: join(dir, 'missing.json'),
      EMPTY: history('empty', []),
      ZERO: join(dir, 'zero.json'),
      OK: history('ok'),
    }
    writeFileSync(paths.ZERO, '')
    const result = await run('cli', 'fit', ['plan', ...args.map(a => paths[a] ?? a)], { report: false })
    expect(result.code, result.output).toBe(2)
    expect(result.stdout).toBe('')
    const lines = result.stderr.trim().split('\n')
    expect(lines, result.stderr).toHaveLength(1)
    expect(lines[0]).toMatch(/^vitest-memory: /)
    expect(lines[0]).toMatch(message)
  })
})

describe('a run with the planned maxWorkers', () => {
  const SIZE = '1GB'
  const timed = async (args: string[]) => {
    const started = Date.now()
    const watched = await runWatched('fit', args)
    return { ...watched, ms: Date.now() - started }
  }

  test('stays under SIZE watched from outside, and is not slower than --max-memory alone', async () => {
    const planned = await plan(SIZE)
    expect(planned.code, planned.output).toBe(0)
    const [shard] = planned.plan!.shards
    expect(shard.maxWorkers).toBeGreaterThanOrEqual(2)

    const alone = await timed(['run', '--max-memory', SIZE, '--memory-history', history('alone'), '--memory-report', join(dir, 'alone-report.json')])
    const fitted = await timed([
      'run',
      '--max-workers',
      String(shard.maxWorkers),
      '--max-memory',
      SIZE,
      '--memory-history',
      history('fitted'),
      '--memory-report',
      join(dir, 'fitted-report.json'),
    ])
    // As a CI matrix passes the plan on: its maxWorkers and its maxMemory (SIZE less the runner).
    const asPlanned = await timed([
      'run',
      '--max-workers',
      String(shard.maxWorkers),
      '--max-memory',
      shard.maxMemory,
      '--memory-history',
      history('as-planned'),
      '--memory-report',
      join(dir, 'as-planned-report.json'),
    ])
    for (const result of [alone, fitted, asPlanned]) expect(result.code, result.output).toBe(0)
    // The history knew every file: the summary says what fits this machine.
    expect(fitted.output).toMatch(/^ Memory fit: this run peaked at [\d.]+ [MG]B \(.*\); by the history, --max-workers \d+.* fits this (machine|container)'s /m)
    expect(fitted.peakWithRunnerBytes, fitted.output).toBeLessThanOrEqual(1e9)
    expect(asPlanned.peakWithRunnerBytes, asPlanned.output).toBeLessThanOrEqual(1e9)
    // Two heavy files at once were seen: the planned workers were used, not one file at a time.
    expect(fitted.peakBelowRunnerBytes).toBeGreaterThan(PEAKS[0] + 150e6)
    // Loosely: a loaded machine shares its two cores with other runs.
    expect(fitted.ms, `planned ${fitted.ms} ms, --max-memory alone ${alone.ms} ms`).toBeLessThanOrEqual(alone.ms * 1.25 + 1000)
    console.info(
      `fit: --max-memory ${SIZE} alone ${alone.ms} ms, peak ${Math.round(alone.peakWithRunnerBytes / 1e6)} MB; --max-workers ${shard.maxWorkers} ${fitted.ms} ms, peak ${Math.round(fitted.peakWithRunnerBytes / 1e6)} MB; as planned (--max-memory ${shard.maxMemory}) ${asPlanned.ms} ms, peak ${Math.round(asPlanned.peakWithRunnerBytes / 1e6)} MB`,
    )
  }, 180_000)
})
