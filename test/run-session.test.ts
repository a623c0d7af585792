// The run session's lifecycle without a run: begin/end, what end() closes and clears, a second run
// after it, the options cache; and that nothing in src/ resolves options around the session.
import { readdirSync, readFileSync } from 'node:fs'
import { join, relative } from 'node:path'
import { describe, expect, test, vi } from 'vitest'
import type { FileMeasurement } from '../src/model.js'
import type { Journal } from '../src/record/journal.js'
import { measurementKey, RunSession, runSession, type RunScheduling } from '../src/run-session.js'
import { ROOT } from './helpers.js'

function fakeScheduling(): RunScheduling {
  return { gate: null, spares: null, predict: () => 0, end: vi.fn() }
}

function fillRun(session: RunSession) {
  const key = measurementKey('p', '/a.test.ts')
  session.measurements.set(key, { file: '/a.test.ts', project: 'p' } as FileMeasurement)
  session.tagging.set(key, { tags: [], tagSource: null } as never)
  session.startedFiles.add(key)
  session.queue = [{ key, project: 'p', environment: 'node' }]
  session.sharedProcesses = 2
  session.recycles.push({ at: 1 } as never)
  const scheduling = fakeScheduling()
  session.scheduling = scheduling
  const journal = { close: vi.fn() }
  session.journal = journal as unknown as Journal
  session.journalFailure = { askedFor: true }
  const journalClaim = { path: 'j', note: null, release: vi.fn() }
  session.journalOpening = { requested: 'j', madeFolder: '/x', limits: '[]', openedEarly: true, claim: journalClaim }
  const reportClaim = { path: 'r', note: null, release: vi.fn() }
  session.reportClaim = reportClaim
  session.timeline.begin('worker', 'p', '/a.test.ts', 1000)
  session.timeline.end('worker', 1500)
  return { scheduling, journal, journalClaim, reportClaim }
}

describe('begin and end', () => {
  test('begin() marks the run; it is idempotent while the run lasts', () => {
    const session = new RunSession()
    expect(session.active).toBe(false)
    expect(session.begin()).toBe(session)
    session.measurements.set('k', {} as FileMeasurement)
    session.begin()
    expect(session.active).toBe(true)
    expect(session.measurements.size).toBe(1) // a second begin() of the same run loses nothing
  })

  test("end() closes what the run opened and clears its data; the process's inputs stay", () => {
    const session = new RunSession().begin()
    const config = { budget: '1GB' }
    session.configOptions = config
    session.cliOptions = { top: 3 }
    const worker = { abort: () => null }
    session.liveWorkers.add(worker)
    const { scheduling, journal, journalClaim, reportClaim } = fillRun(session)
    session.end()
    expect(scheduling.end).toHaveBeenCalledOnce()
    expect(journal.close).toHaveBeenCalledOnce()
    expect(journalClaim.release).toHaveBeenCalledOnce()
    expect(reportClaim.release).toHaveBeenCalledOnce()
    expect(session).toMatchObject({
      active: false,
      scheduling: null,
      journal: null,
      journalFailure: null,
      reportClaim: null,
      queue: undefined,
      sharedProcesses: 0,
      recycles: [],
      journalOpening: { requested: null, madeFolder: null, limits: '', openedEarly: false, claim: null },
    })
    expect([session.measurements.size, session.tagging.size, session.startedFiles.size]).toEqual([0, 0, 0])
    expect(session.timeline.startedAt).toBeNull()
    expect(session.timeline.timeline()).toEqual([])
    expect(session.timeline.findSpan('p', '/a.test.ts')).toBeUndefined()
    expect(session.configOptions).toBe(config)
    expect(session.cliOptions).toEqual({ top: 3 })
    expect([...session.liveWorkers]).toEqual([worker])
  })

  test('a second run after end() starts clean and ends its own objects only', () => {
    const session = new RunSession().begin()
    const first = fillRun(session)
    session.end()
    session.begin()
    expect(session.active).toBe(true)
    expect(session.measurements.size).toBe(0)
    expect(session.scheduling).toBeNull()
    const second = fakeScheduling()
    session.scheduling = second
    session.end()
    expect(first.scheduling.end).toHaveBeenCalledOnce()
    expect(second.end).toHaveBeenCalledOnce()
  })

  test('end() without a begin() (or twice) is harmless', () => {
    const session = new RunSession()
    session.end()
    session.end()
    expect(session.active).toBe(false)
  })
})

describe('the options cache', () => {
  test('resolved once per project (config and root) and run', () => {
    const session = new RunSession()
    session.configOptions = { budget: '1GB', history: false }
    const first = session.options('/repo')
    expect(first.budgetBytes).toBe(1e9)
    expect(session.options('/repo')).toBe(first)
    expect(session.resolutions).toBe(1)
    // another root, another project's memoryPool() argument: resolved apart
    expect(session.options('/other').reportPath).toBe('/other/.vitest-memory/report.json')
    const own = { budget: '2GB' }
    expect(session.options('/repo', own).budgetBytes).toBe(2e9)
    expect(session.options('/repo', own)).toBe(session.options('/repo', own))
    expect(session.resolutions).toBe(3)
  })

  test('the command line wins, as before; end() forgets the resolutions', () => {
    const session = new RunSession()
    session.configOptions = { budget: '1GB' }
    session.cliOptions = { budget: '3GB' }
    const first = session.options('/repo')
    expect(first.budgetBytes).toBe(3e9)
    session.end()
    expect(session.resolutions).toBe(0)
    session.cliOptions = {}
    expect(session.options('/repo')).not.toBe(first)
    expect(session.options('/repo').budgetBytes).toBe(1e9)
  })

  test('a bad option throws each time it is asked for, and nothing is cached', () => {
    const session = new RunSession()
    session.configOptions = { budget: 'lots' } as never
    expect(() => session.options('/repo')).toThrow(/budget/)
    expect(() => session.options('/repo')).toThrow(/budget/)
  })
})

test('runSession() is one object on a registered global (the pool and the reporter load apart)', () => {
  const session = runSession()
  expect(runSession()).toBe(session)
  expect((globalThis as Record<symbol, unknown>)[Symbol.for('vitest-memory.run-session')]).toBe(session)
})

test('src/ resolves options only through the session (options.ts validates a config at load)', () => {
  const files = (dir: string): string[] =>
    readdirSync(dir, { withFileTypes: true }).flatMap(entry =>
      entry.isDirectory() ? files(join(dir, entry.name)) : entry.name.endsWith('.ts') ? [join(dir, entry.name)] : [],
    )
  const callers = files(join(ROOT, 'src'))
    .filter(file => /\bresolveOptions\(/.test(readFileSync(file, 'utf8')))
    .map(file => relative(ROOT, file).split('\\').join('/'))
  expect(callers.sort()).toEqual(['src/options.ts', 'src/run-session.ts'])
})
