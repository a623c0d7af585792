// vm mode (issue 26): Vitest's vm runtime inside the memory pool, against Vitest's own vmForks and
// forks. Called from run.mjs (BENCH_ONLY=vm); each function fills its part of `results`.
import { readFileSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { allocFile, installIntoV5, median, runVitest, V5_WORK, writeSuite } from './suite.mjs'
import { validationFile } from './shared.mjs'

const MiB = 1024 * 1024

/** The same files for every contender: the pool, vm mode and isolation come from the environment. */
const CONFIG = `
import { defineConfig } from 'vitest/config'
import { memoryPool } from 'vitest-memory'

const chosen = process.env.BENCH_POOL
const pool = chosen === 'forks' || chosen === 'vmForks' ? chosen : memoryPool({ vm: chosen === 'memory-vm' })
export default defineConfig({ test: { pool, isolate: process.env.BENCH_ISOLATE !== 'false', environment: process.env.BENCH_ENVIRONMENT || 'node', maxWorkers: Number(process.env.BENCH_WORKERS ?? 1), cache: false, testTimeout: 60_000 } })
`

function vmSuite(name, files, base) {
  const dir = writeSuite(name, files, base)
  writeFileSync(join(dir, 'vitest.config.ts'), CONFIG)
  return dir
}

function check(run, what) {
  if (run.code !== 0) throw new Error(`${what} failed (exit ${run.code}):\n${run.output.slice(-3000)}`)
  return run
}

/** A small DOM file: renders a list, queries it, dispatches an event. */
export function domFile(i) {
  return `import { expect, test } from 'vitest'

test('renders list ${i}', () => {
  // Vitest's vmForks runs a one-worker batch in one context: the document may hold earlier files' nodes.
  document.body.innerHTML = ''
  const list = document.createElement('ul')
  for (let n = 0; n < 20; n++) {
    const item = document.createElement('li')
    item.textContent = 'item ' + n
    list.append(item)
  }
  document.body.append(list)
  expect(document.querySelectorAll('li')).toHaveLength(20)
})

test('handles a click ${i}', () => {
  let clicks = 0
  const button = document.createElement('button')
  button.addEventListener('click', () => clicks++)
  button.click()
  expect(clicks).toBe(1)
})
`
}

/**
 * Each contender: a pool, the files Vitest runs at once, and which Vitest (4.1 here, or 5.1 on Node 22
 * from compat/vitest5). vm mode runs with `isolate: false`, as the CLI sets it.
 */
const CONTENDERS = {
  forks: { pool: 'forks', workers: 1 },
  vmForks: { pool: 'vmForks', workers: 1 },
  memoryVm: { pool: 'memory-vm', workers: 1 },
  vmForks2: { pool: 'vmForks', workers: 2 },
  memoryVm2: { pool: 'memory-vm', workers: 2 },
  forks5: { pool: 'forks', workers: 1, vitest5: true },
  vmForks5: { pool: 'vmForks', workers: 1, vitest5: true },
  memoryVm5: { pool: 'memory-vm', workers: 1, vitest5: true },
}
/** forks runs each file in a process of its own (~0.5 s CPU per jsdom file here): this many rounds of it. */
const FORKS_ROUNDS = 2

/**
 * 20 and 60 small jsdom files: vm mode against Vitest's vmForks and forks, all contenders in every
 * round, order rotated. The like-for-like comparison is against vmForks giving each file its own
 * context, as vm mode does: Vitest 5 at one worker, Vitest 4.1 at two. Vitest 4.1's vmForks at one
 * worker runs all files of its one request in one context (docs/vm-mode.md): measured, not the target.
 */
export async function vmSpeed(results, rounds) {
  installIntoV5()
  results.vmSpeed = []
  for (const count of [20, 60]) {
    const files = {}
    for (let i = 0; i < count; i++) files[`test/dom-${String(i).padStart(2, '0')}.test.ts`] = domFile(i)
    const dirs = { 4: vmSuite(`vm-speed-${count}`, files), 5: vmSuite(`vm-speed-${count}`, files, V5_WORK) }
    const runs = Object.fromEntries(Object.keys(CONTENDERS).map(name => [name, []]))
    for (let r = 0; r < rounds; r++) {
      // The order rotates each round: no contender always runs on a machine the previous one warmed.
      const order = Object.keys(CONTENDERS)
      for (let k = 0; k < r % order.length; k++) order.push(order.shift())
      for (const name of order) {
        const { pool, workers, vitest5 = false } = CONTENDERS[name]
        if (pool === 'forks' && runs[name].length >= FORKS_ROUNDS) continue
        const env = { BENCH_ENVIRONMENT: 'jsdom', BENCH_ISOLATE: pool === 'memory-vm' ? 'false' : 'true' }
        const run = await runVitest(dirs[vitest5 ? 5 : 4], { pool, workers, vitest5, extraEnv: env })
        runs[name].push(check(run, `${name} ${count} jsdom files`).wallMs)
      }
    }
    const m = Object.fromEntries(Object.entries(runs).map(([k, v]) => [k, median(v)]))
    results.vmSpeed.push({
      files: count,
      medianMs: m,
      // Against vmForks with a context per file, as vm mode: the target (≤ 1.15).
      ratioToVmForks: { vitest5OneWorker: m.memoryVm5 / m.vmForks5, vitest4TwoWorkers: m.memoryVm2 / m.vmForks2 },
      // Vitest 4.1's vmForks at one worker: one context for every file.
      ratioToVitest4SharedContext: m.memoryVm / m.vmForks,
      ratioToForks: { vitest4: m.memoryVm / m.forks, vitest5: m.memoryVm5 / m.forks5 },
      runsMs: runs,
    })
  }
}

/** Per-file peak in vm mode against the same file's added peak in a shared process, 50–400 MiB. */
export async function vmExactness(results) {
  const sizes = [50, 100, 200, 400]
  const files = {}
  for (let i = 0; i < 4; i++) files[`test/clean-${i}.test.ts`] = validationFile(i)
  for (const mib of sizes) files[`test/alloc-${mib}.test.ts`] = allocFile(mib)
  const dir = vmSuite('vm-exactness', files)
  const peaks = {}
  for (const [mode, pool] of [
    ['shared', 'memory'],
    ['vm', 'memory-vm'],
  ]) {
    const report = join(dir, `${mode}.json`)
    check(
      await runVitest(dir, { pool, cli: true, args: ['--memory-report', report, '--no-memory-history'], extraEnv: { BENCH_ISOLATE: 'false' } }),
      `exactness ${mode}`,
    )
    peaks[mode] = Object.fromEntries(JSON.parse(readFileSync(report, 'utf8')).files.map(f => [f.file, f]))
  }
  results.vmExactness = sizes.map(mib => {
    const file = `test/alloc-${mib}.test.ts`
    const shared = peaks.shared[file].shared.addedPeakBytes
    const vm = peaks.vm[file].shared.addedPeakBytes
    const differenceBytes = vm - shared
    return {
      file,
      allocatedBytes: mib * MiB,
      sharedAddedBytes: shared,
      vmAddedBytes: vm,
      differencePercent: (vm / shared - 1) * 100,
      within: Math.abs(differenceBytes) <= Math.max(0.05 * shared, 3e6),
    }
  })
}

/** Leaks past a file's context, three ways: on `process`, in a module cache (a Node built-in's), in a timer. */
const LEAKS = {
  process: mib => `import { expect, test } from 'vitest'

test('keeps ${mib} MiB on process', () => {
  const holder = process as unknown as { kept?: Buffer[] }
  ;(holder.kept ??= []).push(Buffer.alloc(${mib} * 1024 * 1024, 1))
  expect(holder.kept.length).toBeGreaterThan(0)
})
`,
  moduleCache: mib => `import { expect, test } from 'vitest'

test('keeps ${mib} MiB in a module cache', () => {
  // Node's own module cache, which every context shares (a context's createRequire is Vitest's, with a cache of its own).
  const Module = process.getBuiltinModule('module')
  Module._cache['/vitest-memory-bench/kept.js'] = { exports: Buffer.alloc(${mib} * 1024 * 1024, 1) }
  expect(Module._cache['/vitest-memory-bench/kept.js']).toBeDefined()
})
`,
  timer: mib => `import { expect, test } from 'vitest'

test('keeps ${mib} MiB in a timer', () => {
  const block = Buffer.alloc(${mib} * 1024 * 1024, 1)
  // A timer never cleared holds the block for far longer than the run (unref'd: it keeps no process alive).
  const timer = setInterval(() => block[0]++, 3_600_000) as unknown as { unref?: () => void }
  timer.unref?.()
  expect(block[0]).toBe(1)
})
`,
}

/** 3 files that each leave 120 MiB past their context (process, module cache, timer) among 40 clean: exactly those named. */
export async function vmLeaks(results) {
  const files = {}
  for (let i = 0; i < 40; i++) files[`test/clean-${String(i).padStart(2, '0')}.test.ts`] = validationFile(i)
  const leakers = { process: 'test/clean-05-leak.test.ts', moduleCache: 'test/clean-19-leak.test.ts', timer: 'test/clean-33-leak.test.ts' }
  for (const [kind, file] of Object.entries(leakers)) files[file] = LEAKS[kind](120)
  const dir = vmSuite('vm-leaks', files)
  const report = join(dir, 'report.json')
  check(
    await runVitest(dir, { pool: 'memory-vm', cli: true, args: ['--memory-report', report, '--no-memory-history'], extraEnv: { BENCH_ISOLATE: 'false' } }),
    'vm leak run',
  )
  const named = JSON.parse(readFileSync(report, 'utf8')).sharedProcesses?.leftBehind ?? []
  const expected = Object.values(leakers)
  results.vmLeaks = { files: 43, leakers, named, exact: named.length === 3 && expected.every(f => named.includes(f)) }
}

export function printVm(results) {
  const s = ms => (ms == null ? 'n/a' : `${(ms / 1000).toFixed(2)} s`)
  for (const row of results.vmSpeed ?? []) {
    const m = row.medianMs
    const x = ratio => `${ratio.toFixed(2)}×`
    console.log(`\n6. vm mode: ${row.files} small jsdom files (median wall)`)
    console.log(`   Vitest 5.1, maxWorkers 1: forks ${s(m.forks5)} · vmForks ${s(m.vmForks5)} · vm mode ${s(m.memoryVm5)}`)
    console.log(`   Vitest 4.1, maxWorkers 1: forks ${s(m.forks)} · vmForks ${s(m.vmForks)} (one context for all files) · vm mode ${s(m.memoryVm)}`)
    console.log(`   Vitest 4.1, maxWorkers 2: vmForks ${s(m.vmForks2)} · vm mode ${s(m.memoryVm2)}`)
    console.log(
      `   vm mode ÷ vmForks, a context per file on both (target ≤ 1.15): Vitest 5 at 1 worker ${x(row.ratioToVmForks.vitest5OneWorker)} · Vitest 4.1 at 2 workers ${x(row.ratioToVmForks.vitest4TwoWorkers)}`,
    )
    console.log(`   vm mode ÷ Vitest 4.1 vmForks at 1 worker (one shared context, not like for like): ${x(row.ratioToVitest4SharedContext)}`)
    console.log(`   vm mode ÷ forks (target ≤ 0.20): Vitest 4.1 ${x(row.ratioToForks.vitest4)} · Vitest 5 ${x(row.ratioToForks.vitest5)}`)
  }
  for (const row of results.vmExactness ?? []) {
    console.log(
      `   ${row.file}: shared added +${(row.sharedAddedBytes / MiB).toFixed(1)} MiB · vm added +${(row.vmAddedBytes / MiB).toFixed(1)} MiB · ${row.differencePercent >= 0 ? '+' : ''}${row.differencePercent.toFixed(1)}% · ${row.within ? 'within 5% or 3 MB' : 'NOT within'}`,
    )
  }
  const l = results.vmLeaks
  if (l)
    console.log(`   leakers (process, module cache, timer) among 40 clean: named ${l.named.join(', ') || 'none'} · ${l.exact ? 'exactly the 3' : 'NOT exact'}`)
}
