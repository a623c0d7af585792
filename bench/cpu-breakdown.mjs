// node bench/cpu-breakdown.mjs: where the CPU time of a run goes, per component, pool vs forks.
// 60 trivial files at maxWorkers = cores (the saturated case). The whole tree's user+sys comes
// from the kernel when the run is reaped (cutime/cstime, exact); the split per process kind from
// polling /proc/<pid>/stat every 10 ms (a process's last ~10 ms before it exits can be missed,
// alike for both pools; the poll itself takes some CPU from the run, so wall times here are longer).
// Not part of npm test or npm run bench; its figures go to docs/benchmarks.md.
import { readFileSync } from 'node:fs'
import { availableParallelism } from 'node:os'
import { listDescendants } from '../dist/measure/descendants.js'
import { median, runVitest, statCpuMs, trivialFile, writeSuite } from './suite.mjs'

const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 5)
const WORKERS = Number(process.env.BENCH_WORKERS ?? availableParallelism())

function kindOf(pid, root) {
  if (pid === root) return 'runner (Vitest main)'
  let cmd = ''
  try {
    cmd = readFileSync(`/proc/${pid}/cmdline`, 'utf8').replaceAll('\0', ' ')
  } catch {}
  if (cmd.includes('esbuild')) return 'esbuild service'
  if (cmd.includes('/dist/pool/child.') || cmd.includes('workers/forks.js')) return 'test processes'
  return `other (${cmd.slice(0, 40)})`
}

/** Polls the tree: the latest CPU reading of every process seen, by kind. */
function pollTree(root) {
  const seen = new Map()
  const timer = setInterval(() => {
    for (const pid of [root, ...listDescendants(root)]) {
      const cpu = statCpuMs(pid, 11)
      if (cpu === null) continue
      const known = seen.get(pid)
      // A process is classified again until it has exec'd (a fork shows its parent's command line first).
      if (known) Object.assign(known, { cpuMs: cpu }, known.kind.startsWith('other') ? { kind: kindOf(pid, root) } : {})
      else seen.set(pid, { kind: kindOf(pid, root), cpuMs: cpu })
    }
  }, 10)
  return () => {
    clearInterval(timer)
    const byKind = {}
    for (const { kind, cpuMs } of seen.values()) byKind[kind] = (byKind[kind] ?? 0) + cpuMs
    byKind.processes = seen.size
    return byKind
  }
}

const files = {}
for (let i = 0; i < 60; i++) files[`test/t${String(i).padStart(2, '0')}.test.ts`] = trivialFile(i)
const dir = writeSuite('cpu-breakdown', files)
const runs = { forks: [], memory: [] }
for (let r = 0; r < ROUNDS; r++) {
  for (const pool of ['forks', 'memory']) {
    // runVitest calls the sampler's stop() when the run closes and returns what it gives
    const run = await runVitest(dir, { pool, workers: WORKERS, sampleTree: root => ({ stop: pollTree(root) }) })
    if (run.code !== 0) throw new Error(`${pool} failed:\n${run.output.slice(-2000)}`)
    runs[pool].push({ wallMs: run.wallMs, cpuMs: run.cpuMs, ...run.treePeakBytes })
  }
}
const kinds = [...new Set(Object.values(runs).flat().flatMap(Object.keys))]
console.log(`60 trivial files, maxWorkers ${WORKERS}, median of ${ROUNDS} (ms)`)
console.log(`${'component'.padEnd(28)} ${'forks'.padStart(8)} ${'pool'.padStart(8)}  ratio`)
for (const kind of kinds) {
  const f = median(runs.forks.map(r => r[kind] ?? 0))
  const m = median(runs.memory.map(r => r[kind] ?? 0))
  console.log(`${kind.padEnd(28)} ${f.toFixed(0).padStart(8)} ${m.toFixed(0).padStart(8)}  ${f ? (m / f).toFixed(2) : '—'}`)
}
