// npm run bench: memoryPool against Vitest's own forks pool, in the same run, alternating A/B.
// Prints a table and writes bench/results.json. Not part of npm test.
import { readFileSync, rmSync, writeFileSync } from 'node:fs'
import { availableParallelism, cpus, totalmem } from 'node:os'
import { join } from 'node:path'
import { allocFile, median, ROOT, runVitest, treeSampler, trivialFile, V5_WORK, WORK, writeSuite } from './suite.mjs'

const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 5)
const MiB = 1024 * 1024
const results = { machine: machine(), rounds: ROUNDS, date: new Date().toISOString() }

function machine() {
  return { cpus: availableParallelism(), cpuModel: cpus()[0]?.model, totalMemoryBytes: totalmem(), node: process.version }
}

function check(run, what) {
  if (run.code !== 0) throw new Error(`${what} failed (exit ${run.code}):\n${run.output.slice(-3000)}`)
  return run
}

/** The runs of one configuration: wall and whole-tree CPU time per round. */
function series() {
  const runs = []
  return {
    runs,
    add: run => runs.push({ wallMs: run.wallMs, cpuMs: run.cpuMs }),
    wallMs: () => median(runs.map(r => r.wallMs)),
    cpuMs: () => (runs.some(r => r.cpuMs === null) ? null : median(runs.map(r => r.cpuMs))),
  }
}

/**
 * 60 trivial files: what measuring costs. `workers` 1 is Vitest's default on 2 cores (a core left
 * idle, where a spare boots); `workers` = cores is the saturated case, where nothing is idle.
 */
async function overhead(workers) {
  const files = {}
  for (let i = 0; i < 60; i++) files[`test/t${String(i).padStart(2, '0')}.test.ts`] = trivialFile(i)
  const dir = writeSuite(`overhead-${workers}`, files)
  const forks = series()
  const memory = series()
  const noSpare = series()
  for (let r = 0; r < ROUNDS; r++) {
    // The order rotates each round: on this VM a run right after one that kept both cores busy
    // was ~10% slower whatever its pool (forks after the pool with a spare: 1.11× forks before it,
    // 4 rounds), so a fixed order charged that to the configuration that always came next.
    const runs = [
      async () => forks.add(check(await runVitest(dir, { pool: 'forks', workers }), 'forks overhead run')),
      async () => memory.add(check(await runVitest(dir, { pool: 'memory', workers }), 'memoryPool overhead run')),
      async () =>
        noSpare.add(
          check(await runVitest(dir, { pool: 'memory', workers, extraEnv: { VITEST_MEMORY_SPARE_PROCESSES: '0' } }), 'memoryPool overhead run without spares'),
        ),
    ]
    for (let i = 0; i < runs.length; i++) await runs[(r + i) % runs.length]()
  }
  // Ratios are the median of each round's own ratio (A and B ran back to back): on a machine whose
  // speed drifts by ±20% between rounds, a ratio of medians compares different moments.
  const paired = (a, b, key) => {
    if (a.runs.some(r => r[key] === null) || b.runs.some(r => r[key] === null)) return null
    return median(a.runs.map((run, i) => run[key] / b.runs[i][key]))
  }
  return {
    files: 60,
    maxWorkers: workers,
    forksMs: forks.wallMs(),
    memoryPoolMs: memory.wallMs(),
    ratio: paired(memory, forks, 'wallMs'),
    noSpareMs: noSpare.wallMs(),
    noSpareRatio: paired(noSpare, forks, 'wallMs'),
    forksCpuMs: forks.cpuMs(),
    memoryPoolCpuMs: memory.cpuMs(),
    cpuRatio: paired(memory, forks, 'cpuMs'),
    noSpareCpuMs: noSpare.cpuMs(),
    noSpareCpuRatio: paired(noSpare, forks, 'cpuMs'),
    forksRuns: forks.runs,
    memoryPoolRuns: memory.runs,
    noSpareRuns: noSpare.runs,
  }
}

async function exactness() {
  const sizes = [50, 100, 200, 400]
  const files = { 'test/baseline.test.ts': trivialFile(0), 'test/spike.test.ts': spikeFile(150) }
  for (const mib of sizes) files[`test/alloc-${mib}.test.ts`] = allocFile(mib)
  const dir = writeSuite('exactness', files)
  const report = join(dir, 'report.json')
  check(await runVitest(dir, { pool: 'memory', cli: true, args: ['--memory-report', report, '--no-memory-history'] }), 'exactness run')
  const byFile = Object.fromEntries(JSON.parse(readFileSync(report, 'utf8')).files.map(f => [f.file, f.peakRssBytes]))
  const baseline = byFile['test/baseline.test.ts']
  const rows = [
    ...sizes.map(mib => ({ file: `alloc-${mib}`, expectedBytes: mib * MiB, measured: byFile[`test/alloc-${mib}.test.ts`] })),
    { file: 'spike-150 (freed at once)', expectedBytes: 150 * MiB, measured: byFile['test/spike.test.ts'] },
  ]
  results.exactness = {
    baselineBytes: baseline,
    files: rows.map(r => ({ ...r, measuredAboveBaselineBytes: r.measured - baseline, errorPercent: ((r.measured - baseline) / r.expectedBytes - 1) * 100 })),
  }
}

function spikeFile(mib) {
  return `import { expect, test } from 'vitest'\n\ntest('spike', async () => {\n  let block: Buffer | null = Buffer.alloc(${mib} * 1024 * 1024, 1)\n  block = null\n  await new Promise(resolve => setTimeout(resolve, 50))\n  expect(block).toBeNull()\n})\n`
}

async function scheduling(workers) {
  const files = {}
  for (let i = 0; i < 6; i++) files[`test/heavy-${i}.test.ts`] = allocFile(1400, 1500)
  for (let i = 0; i < 30; i++) files[`test/light-${String(i).padStart(2, '0')}.test.ts`] = trivialFile(i)
  const dir = writeSuite(`scheduling-${workers}`, files)
  const history = join(dir, 'history.json')
  const ours = ['--max-memory', '4GB', '--memory-history', history]
  // One unmeasured run first, so the gate has history to predict from.
  check(await runVitest(dir, { pool: 'memory', workers, cli: true, args: ['--memory-history', history] }), 'scheduling warm-up')
  const forks = []
  const memory = []
  for (let r = 0; r < Math.min(ROUNDS, 3); r++) {
    forks.push(check(await runVitest(dir, { pool: 'forks', workers, sampleTree: treeSampler }), 'forks scheduling run'))
    memory.push(check(await runVitest(dir, { pool: 'memory', workers, cli: true, args: ours, sampleTree: treeSampler }), 'memoryPool scheduling run'))
  }
  const summary = runs => ({ wallMs: median(runs.map(r => r.wallMs)), peakSummedRssBytes: Math.max(...runs.map(r => r.treePeakBytes)) })
  const ceilingBytes = 4e9
  const m = summary(memory)
  results[`scheduling${workers}`] = {
    maxWorkers: workers,
    ceilingBytes,
    forks: summary(forks),
    memoryPool: { ...m, ceilingHeld: m.peakSummedRssBytes <= ceilingBytes },
  }
}

const gb = b => `${(b / 1e9).toFixed(2)} GB`
const s = ms => `${(ms / 1000).toFixed(2)} s`

// BENCH_ONLY=shared,warm runs some scenarios only (overhead, saturated, exactness, scheduling, shared, peak, warm, vm, projects).
const ONLY = process.env.BENCH_ONLY ? new Set(process.env.BENCH_ONLY.split(',')) : null
const wanted = name => !ONLY || ONLY.has(name)
if (wanted('overhead')) results.overhead = await overhead(1)
if (wanted('saturated')) results.saturated = await overhead(availableParallelism())
if (wanted('exactness')) await exactness()
if (wanted('scheduling')) {
  await scheduling(2)
  await scheduling(3)
}
if (wanted('shared'))
  await import('./shared.mjs').then(async m => {
    await m.sharedSpeed(results, ROUNDS)
    await m.sharedLeaks(results)
    await m.sharedExactness(results)
    m.printShared(results)
  })
if (wanted('peak')) await (await import('./peak-profile.mjs')).peakProfileOverhead(results, ROUNDS)
if (wanted('warm')) await (await import('./warm.mjs')).warm(results, ROUNDS)
if (wanted('vm'))
  await import('./vm.mjs').then(async m => {
    await m.vmSpeed(results, ROUNDS)
    await m.vmExactness(results)
    await m.vmLeaks(results)
    m.printVm(results)
  })
if (wanted('projects'))
  await import('./projects.mjs').then(async m => {
    await m.projects(results, ROUNDS)
    await m.projects(results, ROUNDS, true)
  })
rmSync(WORK, { recursive: true, force: true })
rmSync(V5_WORK, { recursive: true, force: true })
writeFileSync(join(ROOT, 'bench/results.json'), `${JSON.stringify(results, null, 2)}\n`)

const cpu = ms => (ms === null ? 'n/a' : s(ms))
const ratio = r => (r === null ? 'n/a' : r.toFixed(2))
function printOverhead(o, title) {
  console.log(title)
  console.log(
    `   wall  forks ${s(o.forksMs)} · memoryPool ${s(o.memoryPoolMs)} · ratio ${o.ratio.toFixed(2)} · --spare-processes 0 ${s(o.noSpareMs)}, ratio ${o.noSpareRatio.toFixed(2)}`,
  )
  console.log(
    `   CPU   forks ${cpu(o.forksCpuMs)} · memoryPool ${cpu(o.memoryPoolCpuMs)} · ratio ${ratio(o.cpuRatio)} · --spare-processes 0 ${cpu(o.noSpareCpuMs)}, ratio ${ratio(o.noSpareCpuRatio)}  (user+sys, whole tree; ratios: median of each round's)\n`,
  )
}
const o = results.overhead
if (!o) {
  // a BENCH_ONLY run: its scenarios printed their own figures
  if (results.saturated)
    printOverhead(results.saturated, `Saturated: 60 trivial files, maxWorkers ${results.saturated.maxWorkers} (every core), median of ${ROUNDS}`)
  process.exit(0)
}
console.log(
  `\nvitest-memory benchmark · ${results.machine.cpus} cpus · ${gb(results.machine.totalMemoryBytes)} · Node ${results.machine.node} · median of ${ROUNDS}, A/B alternating (overhead rows: the order rotates each round)\n`,
)
printOverhead(o, `1. Overhead: 60 trivial files, maxWorkers 1 (ratio ≤ 1.00 is not slower)`)
if (results.saturated) printOverhead(results.saturated, `1b. Saturated: the same files, maxWorkers ${results.saturated.maxWorkers} (every core)`)
if (results.exactness) console.log(`2. Exactness: baseline ${(results.exactness.baselineBytes / MiB).toFixed(1)} MiB`)
for (const f of results.exactness?.files ?? [])
  console.log(
    `   ${f.file.padEnd(26)} expected +${(f.expectedBytes / MiB).toFixed(0)} MiB · measured +${(f.measuredAboveBaselineBytes / MiB).toFixed(1)} MiB · ${f.errorPercent >= 0 ? '+' : ''}${f.errorPercent.toFixed(1)}%`,
  )
for (const workers of [2, 3]) {
  const r = results[`scheduling${workers}`]
  if (!r) continue // not in this BENCH_ONLY run
  console.log(`\n3. Scheduling: 6 files of ~1.5 GB + 30 light, maxWorkers ${workers}, --max-memory 4GB`)
  console.log(`   forks      peak summed RSS ${gb(r.forks.peakSummedRssBytes)} · wall ${s(r.forks.wallMs)}`)
  console.log(
    `   memoryPool peak summed RSS ${gb(r.memoryPool.peakSummedRssBytes)} · wall ${s(r.memoryPool.wallMs)} · ceiling ${r.memoryPool.ceilingHeld ? 'held' : 'BROKEN'}`,
  )
}
console.log(`\nwritten: bench/results.json`)
