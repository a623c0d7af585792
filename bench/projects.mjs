// Spares with projects (issue 26): a 3-project suite at maxWorkers = cores, where no core is idle,
// must boot no spare and run as fast as Vitest's own forks. Called from run.mjs (BENCH_ONLY=projects).
import { availableParallelism } from 'node:os'
import { readFileSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { median, runVitest, trivialFile, writeSuite } from './suite.mjs'

/** Three inline projects, the pool from the environment: the very same files for both sides. */
const CONFIG = `
import { defineConfig } from 'vitest/config'
import { memoryPool } from 'vitest-memory'

const pool = process.env.BENCH_POOL === 'forks' ? 'forks' : memoryPool()
const project = name => ({ extends: true, test: { name, include: [name + '/**/*.test.ts'] } })
export default defineConfig({
  test: { pool, maxWorkers: Number(process.env.BENCH_WORKERS ?? 1), cache: false, projects: [project('alpha'), project('beta'), project('gamma')] },
})
`
const FILES_PER_PROJECT = 20

/** `cli`: memoryPool through the vitest-memory CLI (which also loads the config for its own flags); else plain `vitest`, as forks. */
export async function projects(results, rounds, cli = false) {
  const files = {}
  for (const name of ['alpha', 'beta', 'gamma'])
    for (let i = 0; i < FILES_PER_PROJECT; i++) files[`${name}/t-${String(i).padStart(2, '0')}.test.ts`] = trivialFile(i)
  const dir = writeSuite('projects-3', files)
  writeFileSync(join(dir, 'vitest.config.ts'), CONFIG)
  const workers = availableParallelism()
  const runs = { forks: [], memoryPool: [] }
  const ratios = []
  const sparesBooted = []
  for (let r = 0; r < rounds; r++) {
    const order = r % 2 ? ['memoryPool', 'forks'] : ['forks', 'memoryPool']
    const round = {}
    for (const name of order) {
      const report = join(dir, `report-${r}.json`)
      const run =
        name === 'forks'
          ? await runVitest(dir, { pool: 'forks', workers })
          : await runVitest(dir, {
              pool: 'memory',
              workers,
              cli,
              args: cli ? ['--memory-report', report, '--no-memory-history'] : [],
              extraEnv: { VITEST_MEMORY_REPORT: report },
            })
      if (run.code !== 0) throw new Error(`${name} 3 projects failed (exit ${run.code}):\n${run.output.slice(-3000)}`)
      round[name] = run.wallMs
      runs[name].push(run.wallMs)
      if (name === 'memoryPool') sparesBooted.push(JSON.parse(readFileSync(report, 'utf8')).run.spares?.booted ?? null)
    }
    ratios.push(round.memoryPool / round.forks)
  }
  results[cli ? 'projectsCli' : 'projects'] = {
    projects: 3,
    files: 3 * FILES_PER_PROJECT,
    maxWorkers: workers,
    forksMs: median(runs.forks),
    memoryPoolMs: median(runs.memoryPool),
    ratio: median(ratios),
    sparesBooted,
    runsMs: runs,
  }
  const p = results[cli ? 'projectsCli' : 'projects']
  console.log(`\n7. 3 projects × ${FILES_PER_PROJECT} trivial files, maxWorkers ${workers} (= cores), ${cli ? 'the CLI' : 'plain vitest'}`)
  console.log(
    `   forks ${(p.forksMs / 1000).toFixed(2)} s · memoryPool ${(p.memoryPoolMs / 1000).toFixed(2)} s · ratio ${p.ratio.toFixed(2)} (target ≤ 1.02; median of each round's) · spares booted ${sparesBooted.join(', ')} (target 0)`,
  )
}
