// Warm spares: a spare loads its project's DOM library while it waits. Proven on real runs: the
// file finds the library loaded, and its process looks exactly as a fresh one would (forks).
import { mkdtempSync, readdirSync, readFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { beforeAll, describe, expect, test } from 'vitest'
import { run, type RunResult } from './helpers.js'

type Observation = Record<string, unknown> & { pid: number; setupAt: number; setupRuns: number; windowCreatedAt: number | null }
/** Differ between any two processes: when and where, not what. */
const TIMING_KEYS = ['setupAt', 'testAt', 'pid', 'windowCreatedAt']

function observations(dir: string): Record<string, Observation> {
  return Object.fromEntries(readdirSync(dir).map(name => [name.replace(/\.json$/, ''), JSON.parse(readFileSync(join(dir, name), 'utf8'))]))
}

function withoutTiming(observation: Observation): Record<string, unknown> {
  return Object.fromEntries(Object.entries(observation).filter(([key]) => !TIMING_KEYS.includes(key)))
}

/** When each process was taken for a file (journal "file-boot"), by pid. */
function bootTimes(journal: string): Map<number, number> {
  const boots = readFileSync(journal, 'utf8')
    .trim()
    .split('\n')
    .map(line => JSON.parse(line))
    .filter(e => e.t === 'file-boot')
  return new Map(boots.map(e => [e.pid as number, e.at as number]))
}

describe.each(['jsdom', 'happy-dom'])('%s: a spare that loaded the library looks like a fresh process', environment => {
  let ours: RunResult
  let forks: RunResult
  let oursSeen: Record<string, Observation>
  let forksSeen: Record<string, Observation>
  let journal: string

  beforeAll(async () => {
    const tmp = mkdtempSync(join(tmpdir(), 'vm-warm-'))
    journal = join(tmp, 'journal.jsonl')
    // The same variables for both: the test processes inherit them, and their names are compared.
    const env = { WARM_ENVIRONMENT: environment, VITEST_MEMORY_JOURNAL: journal }
    ours = await run('vitest', 'warm-dom', ['run'], { env: { ...env, WARM_OUT: join(tmp, 'ours') } })
    forks = await run('vitest', 'warm-dom', ['run', '--pool=forks'], { env: { ...env, WARM_OUT: join(tmp, 'forks') } })
    oursSeen = observations(join(tmp, 'ours'))
    forksSeen = observations(join(tmp, 'forks'))
  })

  test('every file passes; each after the first starts on a spare that had loaded the library', () => {
    expect(ours.code, ours.output).toBe(0)
    expect(forks.code, forks.output).toBe(0)
    expect(ours.report!.run.spares).toMatchObject({ setting: 1, matched: 4, environmentMismatch: 0, fresh: 1 })
    const preloaded = ours.report!.files.filter(f => f.preloadedEnvironment === environment)
    expect(preloaded).toHaveLength(4)
    // The library is part of the file's cost: a preloaded file's peak is no lower than a fresh one's by much.
    const fresh = ours.report!.files.find(f => !f.preloadedEnvironment)!
    for (const file of preloaded) expect(file.peakRssBytes!).toBeGreaterThan(fresh.peakRssBytes! * 0.8)
  })

  test('globals (names, getters or values), symbols, env, execArgv, document and location equal those under forks', () => {
    expect(Object.keys(oursSeen).sort()).toEqual(['globals-a', 'globals-b', 'globals-c', 'mock', 'timers'])
    expect(Object.keys(forksSeen).sort()).toEqual(Object.keys(oursSeen).sort())
    for (const name of Object.keys(oursSeen)) {
      expect(withoutTiming(oursSeen[name]), name).toEqual(withoutTiming(forksSeen[name]))
    }
  })

  test("setupFiles and the environment's window come after the file was handed to the spare, once", () => {
    const boots = bootTimes(journal)
    for (const [name, seen] of Object.entries(oursSeen)) {
      const handedOver = boots.get(seen.pid)
      expect(handedOver, name).toBeDefined()
      expect(seen.setupRuns, name).toBe(1)
      expect(seen.setupAt, name).toBeGreaterThanOrEqual(handedOver!)
      if (environment === 'jsdom') expect(seen.windowCreatedAt!, name).toBeGreaterThanOrEqual(handedOver! - 1)
    }
  })
})

describe('a queue of mixed environments', () => {
  const environmentOf = (file: string) => /-(node|jsdom|happy-dom)\.test\.ts$/.exec(file)![1]

  test("with the queue known (the CLI's sequencer), every file after the first starts on a spare of its own environment", async () => {
    const result = await run('cli', 'warm-mixed', ['run', '--no-memory-history'])
    expect(result.code, result.output).toBe(0)
    expect(result.report!.run.spares).toMatchObject({ matched: 8, environmentMismatch: 0, fresh: 1 })
    // Vitest's order varies with file sizes and timings: the first file, whichever it is, starts fresh.
    const files = [...result.report!.files].sort((a, b) => a.startedAtMs! - b.startedAtMs!)
    expect(files[0].preloadedEnvironment ?? null).toBeNull()
    const dom = files.slice(1).filter(f => environmentOf(f.file) !== 'node')
    expect(dom.length).toBeGreaterThanOrEqual(5)
    for (const file of dom) expect(file.preloadedEnvironment, file.file).toBe(environmentOf(file.file))
  })

  test("without it, files still pass, mismatches are counted, and no file starts with another environment's library", async () => {
    // One spare, loading what the last file needed: every change of environment in the order is a miss.
    const result = await run('vitest', 'warm-mixed', ['run'], { env: { VITEST_MEMORY_SPARE_PROCESSES: '1' } })
    expect(result.code, result.output).toBe(0)
    const spares = result.report!.run.spares!
    expect(spares.matched + spares.environmentMismatch + spares.fresh).toBe(9)
    expect(spares.environmentMismatch).toBeGreaterThan(0)
    for (const file of result.report!.files) {
      if (file.preloadedEnvironment) expect(file.preloadedEnvironment, file.file).toBe(environmentOf(file.file))
    }
  })
})

describe("spareProcesses: 'auto'", () => {
  test('boots spares when there is room, and none when --max-memory leaves no room for one', async () => {
    const roomy = await run('cli', 'warm-dom', ['run', '--spare-processes', 'auto', '--no-memory-history'])
    expect(roomy.code, roomy.output).toBe(0)
    expect(roomy.report!.run.spares).toMatchObject({ setting: 'auto', matched: 4, fresh: 1 })
    // An unmeasured file is predicted at 256 MB: under 100 MB there is never room for a spare.
    const tight = await run('cli', 'warm-dom', ['run', '--spare-processes', 'auto', '--max-memory', '100MB', '--no-memory-history'])
    expect(tight.code, tight.output).toBe(0)
    expect(tight.report!.run.spares).toMatchObject({ setting: 'auto', booted: 0, matched: 0, fresh: 5 })
  })
})
