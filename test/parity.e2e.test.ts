// Feature parity with Vitest's own `forks` pool: the same project, run under memoryPool and
// under `--pool=forks`, gives every test the same outcome.
import { beforeAll, describe, expect, test } from 'vitest'
import { runWithOutcomes, type RunResult, type TestOutcomes } from './helpers.js'

type Outcome = RunResult & { outcomes: TestOutcomes }

describe('mocks, setupFiles, globalSetup, jsdom, happy-dom, test.concurrent, env and execArgv', () => {
  let ours: Outcome
  let forks: Outcome

  beforeAll(async () => {
    ours = await runWithOutcomes('vitest', 'parity-basics', ['run'])
    forks = await runWithOutcomes('vitest', 'parity-basics', ['run', '--pool=forks'])
  })

  test('every test passes under memoryPool, and each file is measured', () => {
    expect(ours.code, ours.output).toBe(0)
    expect(ours.outcomes).toMatchObject({ passed: 13, failed: 0, skipped: 0 })
    expect(ours.report!.files.map(f => f.file).sort()).toEqual(['concurrent.test.ts', 'happy-dom.test.ts', 'jsdom.test.ts', 'mocks.test.ts', 'setup.test.ts'])
    for (const file of ours.report!.files) expect(file).toMatchObject({ state: 'pass', method: 'procfs' })
  })

  test.each([
    ['vi.mock with a factory', 'mocks.test.ts > vi.mock with a factory replaces a module'],
    ['__mocks__ automock', 'mocks.test.ts > vi.mock without a factory uses the __mocks__ file'],
    ['a mocked node builtin', 'mocks.test.ts > a node builtin can be mocked'],
    ['setupFiles', 'setup.test.ts > setupFiles ran in this process'],
    ['globalSetup + provide/inject', 'setup.test.ts > globalSetup ran in the main process and provided a value'],
    ['env from the config', 'setup.test.ts > env from the config reaches the test process'],
    ['execArgv from the config', 'setup.test.ts > execArgv from the config reaches the test process'],
    ['jsdom', 'jsdom.test.ts > the jsdom environment provides a DOM'],
    ['happy-dom', 'happy-dom.test.ts > the happy-dom environment provides a DOM'],
    ['test.concurrent', 'concurrent.test.ts > third'],
  ])('%s works under memoryPool', (_, name) => {
    expect(ours.outcomes.tests[name], ours.output).toBe('passed')
  })

  test('the outcomes equal those under forks, where no memory table is printed', () => {
    expect(forks.code, forks.output).toBe(0)
    expect(ours.outcomes.tests).toEqual(forks.outcomes.tests)
    expect(forks.stdout).not.toContain('MEMORY')
    expect(forks.report).toBeNull()
  })

  test('-t runs only the matching tests, as under forks', async () => {
    const filtered = await runWithOutcomes('vitest', 'parity-basics', ['run', 'mocks', 'setup', '-t', 'vi.mock'])
    const filteredForks = await runWithOutcomes('vitest', 'parity-basics', ['run', 'mocks', 'setup', '-t', 'vi.mock', '--pool=forks'])
    expect(filtered.code, filtered.output).toBe(0)
    expect(filtered.outcomes.passed).toBe(2)
    expect(filtered.outcomes.tests['mocks.test.ts > a node builtin can be mocked']).toBe('skipped')
    expect(filtered.outcomes.tests).toEqual(filteredForks.outcomes.tests)
  })
})

describe('--bail', () => {
  test('stops after the first failure as under forks; files never run are not called crashed', async () => {
    const ours = await runWithOutcomes('vitest', 'parity-bail', ['run', '--bail=1'])
    const forks = await runWithOutcomes('vitest', 'parity-bail', ['run', '--bail=1', '--pool=forks'])
    expect(ours.code).toBe(1)
    expect(ours.outcomes.failed).toBe(1)
    // the three passing files never ran
    expect(ours.outcomes.passed).toBe(forks.outcomes.passed)
    expect(ours.output).toMatch(/Test Files\s+1 failed \(4\)/)
    expect(forks.output).toMatch(/Test Files\s+1 failed \(4\)/)
    const states = Object.fromEntries(ours.report!.files.map(f => [f.file, f.state]))
    expect(states).toEqual({ 'a-fails.test.ts': 'fail', 'b-passes.test.ts': 'skip', 'c-passes.test.ts': 'skip', 'd-passes.test.ts': 'skip' })
    expect(ours.stdout).not.toContain('crashed')
  })
})

describe('projects', () => {
  test('one project on memoryPool and one on threads run together; the table covers only ours', async () => {
    const result = await runWithOutcomes('vitest', 'parity-projects', ['run'])
    expect(result.code, result.output).toBe(0)
    expect(result.outcomes.tests).toEqual({
      'measured/process.test.ts > runs in a child process of its own': 'passed',
      'measured/second.test.ts > a second measured file': 'passed',
      'threaded/thread.test.ts > runs in a worker thread': 'passed',
    })
    expect(result.report!.files.map(f => `${f.project}:${f.file}`).sort()).toEqual(['measured:measured/process.test.ts', 'measured:measured/second.test.ts'])
    expect(result.stdout).toContain('[measured] measured/process.test.ts')
    expect(result.stdout).not.toMatch(/MEMORY[\s\S]*thread\.test\.ts/)
  })

  test('the CLI gives memoryPool to each project that names no pool, and runs the threads project in its processes', async () => {
    const result = await runWithOutcomes('cli', 'parity-projects', ['run', '--config', 'vitest.cli.config.ts'], { env: { IN_PROCESS: '1' } })
    expect(result.code, result.output).toBe(0)
    // plain/process.test.ts asserts it runs in a child process, thread.test.ts (IN_PROCESS=1) too
    expect(result.outcomes).toMatchObject({ passed: 2, failed: 0 })
    expect(result.report!.files.map(f => `${f.project}:${f.file}`).sort()).toEqual(['plain:plain/process.test.ts', 'threaded:threaded/thread.test.ts'])
    for (const file of result.report!.files) expect(file.peakRssBytes).toBeGreaterThan(30e6)
    expect(result.stdout).toContain("vitest-memory: project threaded names pool 'threads': it runs its files in the memory pool's processes")
  })
})

describe('--typecheck', () => {
  test("type tests are left to Vitest's typescript pool; only runtime files are measured", async () => {
    const result = await runWithOutcomes('vitest', 'parity-typecheck', ['run', '--typecheck'])
    expect(result.code, result.output).toBe(0)
    expect(result.outcomes).toMatchObject({ passed: 3, failed: 0 })
    expect(result.output).toMatch(/Type Errors\s+no errors/)
    expect(result.report!.files.map(f => f.file)).toEqual(['sum.test.ts'])
    expect(result.stdout).not.toMatch(/MEMORY[\s\S]*test-d\.ts/)
  })
})
