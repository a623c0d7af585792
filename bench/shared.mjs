// Shared processes (isolate: false): the scenarios of issue 13, against Vitest's own forks pool.
// Called from run.mjs; each function fills its part of `results`.
import { readFileSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { allocFile, median, runVitest, writeSuite } from './suite.mjs'

const MiB = 1024 * 1024

/** Same files for every contender: the pool and isolation come from the environment. */
const CONFIG = `
import { defineConfig } from 'vitest/config'
import { memoryPool } from 'vitest-memory'

const pool = process.env.BENCH_POOL === 'forks' ? 'forks' : memoryPool()
export default defineConfig({ test: { pool, isolate: process.env.BENCH_ISOLATE !== 'false', maxWorkers: Number(process.env.BENCH_WORKERS ?? 1), cache: false, testTimeout: 60_000 } })
`

function sharedSuite(name, files) {
  const dir = writeSuite(name, files)
  writeFileSync(join(dir, 'vitest.config.ts'), CONFIG)
  return dir
}

function check(run, what) {
  if (run.code !== 0) throw new Error(`${what} failed (exit ${run.code}):\n${run.output.slice(-3000)}`)
  return run
}

/** A small file like a validation library's: a few schemas, a dozen quick assertions. */
export function validationFile(i) {
  return `import { describe, expect, test } from 'vitest'

const isEmail = (s: string) => /^[^@\\s]+@[^@\\s]+\\.[a-z]{2,}$/i.test(s)
const schema${i} = { name: (v: unknown) => typeof v === 'string' && v.length > 0, age: (v: unknown) => Number.isInteger(v) && (v as number) >= 0, email: (v: unknown) => typeof v === 'string' && isEmail(v) }
const validate = (value: Record<string, unknown>) => Object.entries(schema${i}).filter(([key, check]) => !check(value[key])).map(([key]) => key)

describe('schema ${i}', () => {
  test('accepts a valid value', () => {
    expect(validate({ name: 'user ${i}', age: ${i % 90}, email: 'user${i}@example.com' })).toEqual([])
  })
  test('names every invalid field', () => {
    expect(validate({ name: '', age: -1, email: 'nope' })).toEqual(['name', 'age', 'email'])
  })
  test.each([['a@b.co', true], ['a@b', false], ['@b.co', false]])('email %s', (email, ok) => {
    expect(isEmail(email)).toBe(ok)
  })
})
`
}

/** Keeps `mib` MiB in a global after the file: what a shared process carries into later files. */
export function leakFile(mib) {
  return `import { expect, test } from 'vitest'

test('caches ${mib} MiB in a global', () => {
  const holder = globalThis as { kept?: Buffer[] }
  ;(holder.kept ??= []).push(Buffer.alloc(${mib} * 1024 * 1024, 1))
  expect(holder.kept.length).toBeGreaterThan(0)
})
`
}

/** Each leaker keeps this much: three of them take a ~100 MB worker past the 600MB threshold. */
const LEAK_MIB = 200

const ENV = { shared: { BENCH_ISOLATE: 'false' }, isolated: { BENCH_ISOLATE: 'true' } }

/** 250 small files: memoryPool without isolation against forks without, and both with isolation. */
export async function sharedSpeed(results, rounds) {
  const files = {}
  for (let i = 0; i < 250; i++) files[`test/schema-${String(i).padStart(3, '0')}.test.ts`] = validationFile(i)
  const dir = sharedSuite('shared-speed', files)
  const runs = { forksShared: [], memoryShared: [], forksIsolated: [], memoryIsolated: [] }
  const gcMs = []
  const report = join(dir, 'report.json')
  for (let r = 0; r < rounds; r++) {
    runs.forksShared.push(check(await runVitest(dir, { pool: 'forks', extraEnv: ENV.shared }), 'forks isolate:false').wallMs)
    runs.memoryShared.push(
      check(await runVitest(dir, { pool: 'memory', extraEnv: { ...ENV.shared, VITEST_MEMORY_REPORT: report } }), 'memoryPool isolate:false').wallMs,
    )
    gcMs.push(JSON.parse(readFileSync(report, 'utf8')).files.reduce((sum, f) => sum + (f.shared?.gcMs ?? 0), 0))
  }
  // Isolated runs are ~10× longer: fewer rounds.
  for (let r = 0; r < Math.min(rounds, 2); r++) {
    runs.forksIsolated.push(check(await runVitest(dir, { pool: 'forks', extraEnv: ENV.isolated }), 'forks isolated').wallMs)
    runs.memoryIsolated.push(check(await runVitest(dir, { pool: 'memory', extraEnv: ENV.isolated }), 'memoryPool isolated').wallMs)
  }
  const m = Object.fromEntries(Object.entries(runs).map(([k, v]) => [k, median(v)]))
  results.sharedSpeed = {
    files: 250,
    maxWorkers: 1,
    forksSharedMs: m.forksShared,
    memorySharedMs: m.memoryShared,
    ratioToForksShared: m.memoryShared / m.forksShared,
    forksIsolatedMs: m.forksIsolated,
    memoryIsolatedMs: m.memoryIsolated,
    speedupOverIsolated: Math.min(m.forksIsolated, m.memoryIsolated) / m.memoryShared,
    gcMsPerRun: median(gcMs),
    runsMs: runs,
  }
}

/**
 * 3 files that keep 200 MiB each among 40 clean ones: exactly those 3 named; then recycling at
 * 600MB (the third leaker takes the process past it: it is replaced before the next file).
 */
export async function sharedLeaks(results) {
  const files = {}
  for (let i = 0; i < 40; i++) files[`test/clean-${String(i).padStart(2, '0')}.test.ts`] = validationFile(i)
  const leakers = ['test/clean-05-leak.test.ts', 'test/clean-19-leak.test.ts', 'test/clean-33-leak.test.ts']
  for (const file of leakers) files[file] = leakFile(LEAK_MIB)
  const dir = sharedSuite('shared-leaks', files)
  const report = join(dir, 'report.json')
  check(await runVitest(dir, { pool: 'memory', cli: true, args: ['--memory-report', report, '--no-memory-history'], extraEnv: ENV.shared }), 'leak run')
  const named = JSON.parse(readFileSync(report, 'utf8')).sharedProcesses?.leftBehind ?? []
  const recycledReport = join(dir, 'recycled.json')
  const recycled = check(
    await runVitest(dir, {
      pool: 'memory',
      cli: true,
      args: ['--memory-report', recycledReport, '--no-memory-history', '--recycle-above', '600MB'],
      extraEnv: ENV.shared,
    }),
    'recycle run',
  )
  const r = JSON.parse(readFileSync(recycledReport, 'utf8'))
  const peak = Math.max(...r.files.map(f => f.treePeakRssBytes ?? 0))
  results.sharedLeaks = {
    files: 43,
    leakers,
    named,
    exact: named.length === 3 && leakers.every(f => named.includes(f)),
    recycleAboveBytes: 600e6,
    recycles: r.sharedProcesses?.recycles?.length ?? 0,
    runPeakBytes: peak,
    peakUnderThreshold: peak < 600e6,
    // Recycling happens after a file: no file may start on a process already over the threshold.
    everyFileStartedUnder: r.files.every(f => (f.shared?.startRssBytes ?? 0) <= 600e6),
    recycleWallMs: recycled.wallMs,
  }
}

/** Per-file peak in a shared process against the same file isolated, for 50–400 MiB files. */
export async function sharedExactness(results) {
  const sizes = [50, 100, 200, 400]
  const files = {}
  for (let i = 0; i < 4; i++) files[`test/clean-${i}.test.ts`] = validationFile(i)
  for (const mib of sizes) files[`test/alloc-${mib}.test.ts`] = allocFile(mib)
  const dir = sharedSuite('shared-exactness', files)
  const peaks = {}
  for (const [mode, env] of Object.entries(ENV)) {
    const report = join(dir, `${mode}.json`)
    check(await runVitest(dir, { pool: 'memory', cli: true, args: ['--memory-report', report, '--no-memory-history'], extraEnv: env }), `exactness ${mode}`)
    peaks[mode] = Object.fromEntries(JSON.parse(readFileSync(report, 'utf8')).files.map(f => [f.file, f]))
  }
  results.sharedExactness = sizes.map(mib => {
    const file = `test/alloc-${mib}.test.ts`
    const isolated = peaks.isolated[file].peakRssBytes - peaks.isolated['test/clean-0.test.ts'].peakRssBytes
    const shared = peaks.shared[file].shared.addedPeakBytes
    return { file, allocatedBytes: mib * MiB, isolatedAboveBaselineBytes: isolated, sharedAddedBytes: shared, differencePercent: (shared / isolated - 1) * 100 }
  })
}

export function printShared(results) {
  const s = ms => `${(ms / 1000).toFixed(2)} s`
  const sp = results.sharedSpeed
  if (sp) {
    console.log(`\n4. Shared processes: ${sp.files} small files, isolate: false, maxWorkers ${sp.maxWorkers}`)
    console.log(
      `   forks isolate:false ${s(sp.forksSharedMs)} · memoryPool isolate:false ${s(sp.memorySharedMs)} · ratio ${sp.ratioToForksShared.toFixed(2)} (target ≤ 1.05; GC after each file ${s(sp.gcMsPerRun)} of it)`,
    )
    console.log(
      `   with isolation: forks ${s(sp.forksIsolatedMs)} · memoryPool ${s(sp.memoryIsolatedMs)} · shared is ${sp.speedupOverIsolated.toFixed(1)}× faster (target ≥ 8×)`,
    )
  }
  const l = results.sharedLeaks
  if (l) {
    console.log(`\n5. Left behind: 3 files keeping ${LEAK_MIB} MiB among 40 clean, isolate: false`)
    console.log(`   named: ${l.named.join(', ') || 'none'} · ${l.exact ? 'exactly the 3' : 'NOT exact'}`)
    console.log(
      `   --recycle-above 600MB: ${l.recycles} recycle(s) · run peak ${(l.runPeakBytes / 1e6).toFixed(0)} MB · ${l.peakUnderThreshold ? 'under' : 'over'} the threshold · every file started under it: ${l.everyFileStartedUnder ? 'yes' : 'NO'}`,
    )
  }
  for (const row of results.sharedExactness ?? []) {
    console.log(
      `   ${row.file}: isolated +${(row.isolatedAboveBaselineBytes / MiB).toFixed(1)} MiB · shared added +${(row.sharedAddedBytes / MiB).toFixed(1)} MiB · ${row.differencePercent >= 0 ? '+' : ''}${row.differencePercent.toFixed(1)}%`,
    )
  }
}
