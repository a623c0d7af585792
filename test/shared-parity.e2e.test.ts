// isolate: false under memoryPool() against Vitest's own forks pool without isolation: the same
// outcomes, and the pool's other features (tags, --max-memory) still in force.
import { describe, expect, test } from 'vitest'
import { copyFixture, run, runWithOutcomes } from './helpers.js'

describe('parity with forks + isolate: false', () => {
  test('mocks, setupFiles, globalSetup, jsdom, happy-dom, concurrent: same outcomes, every file measured', async () => {
    const ours = await runWithOutcomes('vitest', 'parity-basics', ['run', '--no-isolate'])
    const forks = await runWithOutcomes('vitest', 'parity-basics', ['run', '--no-isolate', '--pool=forks'])
    expect(ours.code, ours.output).toBe(0)
    expect(forks.code, forks.output).toBe(0)
    expect(ours.outcomes).toMatchObject({ passed: 13, failed: 0, skipped: 0 })
    expect(ours.outcomes.tests).toEqual(forks.outcomes.tests)
    for (const file of ours.report!.files) expect(file.shared, file.file).toBeDefined()
    // A process keeps its environment: jsdom and happy-dom files never share a process with node files.
    const processOf = (name: string) => ours.report!.files.find(f => f.file === name)!.shared!.process
    expect(processOf('jsdom.test.ts')).not.toBe(processOf('mocks.test.ts'))
    expect(processOf('happy-dom.test.ts')).not.toBe(processOf('jsdom.test.ts'))
  })

  test('snapshots pass in a shared process', async () => {
    const ours = copyFixture('parity-snapshots')
    const clean = await runWithOutcomes('vitest', ours, ['run', '--no-isolate'])
    expect(clean.code, clean.output).toBe(0)
    expect(clean.outcomes).toMatchObject({ passed: 3, failed: 0 })
    expect(clean.report!.files.every(f => f.shared)).toBe(true)
  })
})

describe("the pool's features with isolate: false", () => {
  test('--skip-memory-intensive never starts the tagged files; the others run in a shared process', async () => {
    const result = await run('cli', 'tags', ['run', '--no-isolate', '--skip-memory-intensive', '--no-memory-history'])
    expect(result.code, result.output).toBe(0)
    const skipped = result.report!.files.filter(f => f.skipReason)
    expect(skipped.map(f => f.file).sort()).toEqual(expect.arrayContaining([expect.stringMatching(/^glob\//)]))
    for (const file of skipped) expect(file.shared).toBeUndefined()
    const ran = result.report!.files.filter(f => !f.skipReason)
    expect(ran.length).toBeGreaterThan(0)
    for (const file of ran) expect(file.shared, file.file).toBeDefined()
  })

  test('--max-memory admits each file of the shared process; the run completes', async () => {
    const result = await run('cli', 'shared-leak', ['run', '--no-memory-history', '--max-memory', '2GB'])
    expect(result.code, result.output).toBe(0)
    expect(result.report!.files).toHaveLength(7)
    expect(result.report!.sharedProcesses!.leftBehind).toEqual(['leak-buffer.test.ts'])
  })
})
