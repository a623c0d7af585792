// A monorepo whose root config lists projects by their own config files: the CLI measures every
// project that names no pool of its own, and says in one line which files it did not measure.
import { describe, expect, test } from 'vitest'
import { runWithOutcomes } from './helpers.js'

describe('projects from config files (packages/*: alpha names no pool, beta runs on threads, gamma has no config)', () => {
  test('alpha and gamma are measured, beta keeps its pool and is named as not measured; outcomes equal plain vitest', async () => {
    const plain = await runWithOutcomes('vitest', 'projects-files', ['run'])
    const ours = await runWithOutcomes('cli', 'projects-files', ['run', '--no-memory-history', '--no-memory-journal'])
    expect(ours.code, ours.output).toBe(0)
    expect(ours.outcomes.tests).toEqual(plain.outcomes.tests)
    expect(ours.outcomes.passed).toBe(6)
    const measured = ours.report!.files.map(f => `${f.project}:${f.file}`).sort()
    expect(measured).toEqual([
      'alpha:packages/alpha/test/alpha-more.test.ts',
      'alpha:packages/alpha/test/alpha.test.ts',
      'gamma:packages/gamma/test/gamma-more.test.ts',
      'gamma:packages/gamma/test/gamma.test.ts',
    ])
    for (const file of ours.report!.files) expect(file.peakRssBytes).toBeGreaterThan(30e6)
    expect(ours.stdout).toContain('vitest-memory: 2 files not measured: project beta names its own pool \'threads\' (2 files)')
    expect(ours.stdout).toContain('4 files measured')
  })
})
