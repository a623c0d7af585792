// Warm spares (issue 14): suites whose test environment is jsdom or happy-dom, where a fresh
// process spends most of a trivial file loading the DOM library; memoryPool's spares load it
// ahead. Same run, A/B alternating against forks; also node suites (no slower than before) and a
// heavy suite under --max-memory with spareProcesses 'auto' (the ceiling still holds).
import { allocFile, median, runVitest, treeSampler, trivialFile, writeSuite } from './suite.mjs'

const domFile = i =>
  `import { expect, test } from 'vitest'\n\ntest('dom ${i}', () => {\n  document.body.innerHTML = '<p>${i}</p>'\n  expect(document.body.textContent).toBe('${i}')\n})\n`

function check(run, what) {
  if (run.code !== 0) throw new Error(`${what} failed (exit ${run.code}):\n${run.output.slice(-3000)}`)
  return run
}

/** Vitest's own "environment" total from its summary line, in ms. */
function environmentMs(output) {
  const match = /environment ([\d.]+)(ms|s)\)/.exec(output)
  return match ? Number(match[1]) * (match[2] === 's' ? 1000 : 1) : null
}

/** The default ('auto' spares), and one spare as before warm spares. */
const VARIANTS = [
  ['memoryPool', {}],
  ['memoryPool, 1 spare', { VITEST_MEMORY_SPARE_PROCESSES: '1' }],
]

async function suite(environment, count, rounds) {
  const files = {}
  for (let i = 0; i < count; i++) files[`test/t${String(i).padStart(2, '0')}.test.ts`] = environment === 'node' ? trivialFile(i) : domFile(i)
  const dir = writeSuite(`warm-${environment}-${count}`, files)
  const env = { BENCH_ENVIRONMENT: environment }
  const runs = { forks: [] }
  const environments = { forks: [] }
  for (const [name] of VARIANTS) {
    runs[name] = []
    environments[name] = []
  }
  for (let r = 0; r < rounds; r++) {
    const forks = check(await runVitest(dir, { pool: 'forks', extraEnv: env }), `forks ${environment} run`)
    runs.forks.push(forks.wallMs)
    environments.forks.push(environmentMs(forks.output))
    for (const [name, extra] of VARIANTS) {
      const ours = check(await runVitest(dir, { pool: 'memory', extraEnv: { ...env, ...extra } }), `${name} ${environment} run`)
      runs[name].push(ours.wallMs)
      environments[name].push(environmentMs(ours.output))
    }
  }
  const forksMs = median(runs.forks)
  return {
    environment,
    files: count,
    maxWorkers: 1,
    forksMs,
    forksRunsMs: runs.forks,
    forksEnvironmentMs: median(environments.forks),
    variants: VARIANTS.map(([name]) => ({
      name,
      ms: median(runs[name]),
      ratio: median(runs[name]) / forksMs,
      runsMs: runs[name],
      environmentMs: median(environments[name]),
    })),
  }
}

async function heavyUnderCeiling(rounds) {
  const files = {}
  for (let i = 0; i < 6; i++) files[`test/heavy-${i}.test.ts`] = allocFile(1400, 1500)
  for (let i = 0; i < 30; i++) files[`test/light-${String(i).padStart(2, '0')}.test.ts`] = domFile(i)
  const dir = writeSuite('warm-heavy', files)
  const history = `${dir}/history.json`
  const env = { BENCH_ENVIRONMENT: 'jsdom' }
  const workers = 3
  const ceilingBytes = 4e9
  check(await runVitest(dir, { pool: 'memory', workers, cli: true, args: ['--memory-history', history], extraEnv: env }), 'heavy warm-up')
  const runs = []
  for (let r = 0; r < Math.min(rounds, 3); r++) {
    runs.push(
      check(
        await runVitest(dir, {
          pool: 'memory',
          workers,
          cli: true,
          args: ['--max-memory', '4GB', '--spare-processes', 'auto', '--memory-history', history],
          extraEnv: env,
          sampleTree: treeSampler,
        }),
        'heavy run',
      ),
    )
  }
  const peak = Math.max(...runs.map(r => r.treePeakBytes))
  return {
    files: '6 × ~1.5 GB + 30 jsdom',
    maxWorkers: workers,
    ceilingBytes,
    spareProcesses: 'auto',
    wallMs: median(runs.map(r => r.wallMs)),
    peakSummedRssBytes: peak,
    ceilingHeld: peak <= ceilingBytes,
  }
}

const s = ms => `${(ms / 1000).toFixed(2)} s`

/** Runs the warm-spare scenarios into `results.warm` and prints them. */
export async function warm(results, rounds) {
  const only = process.env.BENCH_WARM ? process.env.BENCH_WARM.split(',') : null
  const scenarios = [
    ['jsdom', 20],
    ['jsdom', 60],
    ['happy-dom', 20],
    ['happy-dom', 60],
    ['node', 60],
  ]
  results.warm = { suites: [] }
  for (const [environment, count] of scenarios) {
    if (only && !only.includes(`${environment}-${count}`)) continue
    results.warm.suites.push(await suite(environment, count, rounds))
  }
  if (!only || only.includes('heavy')) results.warm.heavy = await heavyUnderCeiling(rounds)
  console.log(`\n4. Warm spares: trivial files, maxWorkers 1, median of ${rounds} (Vitest's "environment" total in brackets)`)
  for (const r of results.warm.suites) {
    const variants = r.variants.map(v => `${v.name} ${s(v.ms)} [${s(v.environmentMs ?? 0)}] · ratio ${v.ratio.toFixed(2)}`).join(' · ')
    console.log(`   ${String(r.files).padStart(2)} ${r.environment.padEnd(9)} forks ${s(r.forksMs)} [${s(r.forksEnvironmentMs ?? 0)}] · ${variants}`)
  }
  const h = results.warm.heavy
  if (h)
    console.log(
      `   heavy, maxWorkers 3, --max-memory 4GB, --spare-processes auto: peak summed RSS ${(h.peakSummedRssBytes / 1e9).toFixed(2)} GB · wall ${s(h.wallMs)} · ceiling ${h.ceilingHeld ? 'held' : 'BROKEN'}`,
    )
}

// `node bench/warm.mjs` runs these scenarios alone (npm run build first).
if (import.meta.url === `file://${process.argv[1]}`) {
  const { writeFileSync, rmSync } = await import('node:fs')
  const { join } = await import('node:path')
  const { availableParallelism, cpus, totalmem } = await import('node:os')
  const { ROOT, WORK } = await import('./suite.mjs')
  const rounds = Number(process.env.BENCH_ROUNDS ?? 5)
  const results = {
    machine: { cpus: availableParallelism(), cpuModel: cpus()[0]?.model, totalMemoryBytes: totalmem(), node: process.version },
    rounds,
    date: new Date().toISOString(),
  }
  await warm(results, rounds)
  rmSync(WORK, { recursive: true, force: true })
  writeFileSync(join(ROOT, 'bench/warm-results.json'), `${JSON.stringify(results, null, 2)}\n`)
}
