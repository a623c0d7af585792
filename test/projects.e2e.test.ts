// A monorepo whose root config lists projects by their own config files: the CLI measures every
// project that runs one of Vitest's pools, and says in one line what stands in for 'threads'.
import { describe, expect, test } from 'vitest'
import { availableParallelism } from 'node:os'
import { run, runWithOutcomes } from './helpers.js'

describe('projects from config files (packages/*: alpha names no pool, beta runs on threads, gamma has no config)', () => {
  test("alpha, gamma and beta (in the pool's processes) are measured, with one line for beta; outcomes equal plain vitest", async () => {
    const plain = await runWithOutcomes('vitest', 'projects-files', ['run'])
    const ours = await runWithOutcomes('cli', 'projects-files', ['run', '--no-memory-history', '--no-memory-journal'])
    expect(ours.code, ours.output).toBe(0)
    expect(ours.outcomes.tests).toEqual(plain.outcomes.tests)
    expect(ours.outcomes.passed).toBe(6)
    const measured = ours.report!.files.map(f => `${f.project}:${f.file}`).sort()
    expect(measured).toEqual([
      'alpha:packages/alpha/test/alpha-more.test.ts',
      'alpha:packages/alpha/test/alpha.test.ts',
      'beta:packages/beta/test/beta-more.test.ts',
      'beta:packages/beta/test/beta.test.ts',
      'gamma:packages/gamma/test/gamma-more.test.ts',
      'gamma:packages/gamma/test/gamma.test.ts',
    ])
    for (const file of ours.report!.files) expect(file.peakRssBytes).toBeGreaterThan(30e6)
    expect(ours.stdout).toContain("vitest-memory: project beta names pool 'threads': it runs its files in the memory pool's processes")
    expect(ours.stdout).not.toContain('not measured')
    expect(ours.stdout).toContain('6 files measured')
  })
})

describe("one rule for the pool the user chose (root pool: 'threads', projects with extends: true)", () => {
  test("the projects inheriting threads run in the pool's processes, one line says they inherit it; the custom pool is named as not measured", async () => {
    const plain = await runWithOutcomes('vitest', 'pool-inherit', ['run'])
    const ours = await runWithOutcomes('cli', 'pool-inherit', ['run', '--no-memory-history', '--no-memory-journal'], { env: { IN_PROCESS: '1' } })
    expect(plain.code, plain.output).toBe(0)
    expect(ours.code, ours.output).toBe(0)
    // unit.test.ts asserts a worker thread under plain vitest, a process under the CLI.
    expect(ours.outcomes.tests).toEqual(plain.outcomes.tests)
    expect(ours.report!.files.map(f => `${f.project}:${f.file}`).sort()).toEqual(['dom:test/dom.test.ts', 'unit:test/unit.test.ts'])
    expect(ours.stdout).toMatch(/vitest-memory: projects (unit, dom|dom, unit) inherit pool 'threads': it runs its files in the memory pool's processes/)
    expect(ours.stdout).toContain(
      "vitest-memory: 1 file not measured: project custom names pool 'custom-forks', which vitest-memory cannot stand in for (1 file)",
    )
  })

  test("spareProcesses auto with projects: at maxWorkers = cores no spare boots (the run's maxWorkers, not a project's)", async () => {
    const cores = availableParallelism()
    const result = await run('cli', 'pool-inherit', ['run', '--no-memory-history', '--no-memory-journal', '--maxWorkers', String(cores)], {
      env: { IN_PROCESS: '1' },
    })
    expect(result.code, result.output).toBe(0)
    expect(result.report!.run.spares).toMatchObject({ setting: 'auto', booted: 0 })
  })
})
