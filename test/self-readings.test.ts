// Off Linux the test process reports its own RSS over IPC and the pool's sampler records it
// (no `ps`/`wmic` per sample). Forced here with VITEST_MEMORY_FORCE_FALLBACK, as on macOS.
import { afterEach, describe, expect, test, vi } from 'vitest'
import { TreeSampler } from '../src/measure/sampler.js'
import { SELF_READING_KEY, selfReading, startSelfReadings } from '../src/pool/self-readings.js'
import { childLaunch } from '../src/pool/child-launch.js'
import { CHILD_SETTINGS_ENV, readChildSettings } from '../src/pool/child-state.js'

const launchOptions = { detectLeaks: false, heapProfile: 'off', sampleIntervalMs: 20 } as never

afterEach(() => {
  vi.unstubAllEnvs()
})

describe('self readings', () => {
  test('the child sends its RSS at once and then at its pace; the pool reads only those messages', async () => {
    const sent: unknown[] = []
    startSelfReadings(message => {
      sent.push(message)
      return true
    }, 10)
    expect(sent).toHaveLength(1)
    const first = selfReading(sent[0])!
    expect(first).toBeGreaterThan(10e6)
    expect(Math.abs(first - process.memoryUsage.rss())).toBeLessThan(50e6)
    await vi.waitFor(() => expect(sent.length).toBeGreaterThan(2))
    expect(selfReading({ __vitest_worker_response__: true, type: 'started' })).toBeNull()
    expect(selfReading({ [SELF_READING_KEY]: 'lots' })).toBeNull()
    expect(selfReading(null)).toBeNull()
  })

  test("without procfs, the sampler takes the process's own readings as root and tree", () => {
    vi.stubEnv('VITEST_MEMORY_FORCE_FALLBACK', '1')
    const samples: number[] = []
    const sampler = new TreeSampler(process.pid, 50, sample => samples.push(sample.treeRssBytes))
    sampler.ownReading(80e6)
    sampler.ownReading(300e6)
    sampler.ownReading(120e6)
    expect(samples).toEqual([80e6, 300e6, 120e6])
    expect(sampler.treePeakBytes).toBe(300e6)
    expect(sampler.rootPeakBytes).toBe(300e6)
    expect(sampler.last).toMatchObject({ rootRssBytes: 120e6, treeRssBytes: 120e6, heaviestChild: null })
  })

  test("with procfs, the kernel's figures stand: a reported figure is ignored", () => {
    vi.stubEnv('VITEST_MEMORY_FORCE_FALLBACK', '0')
    const sampler = new TreeSampler(process.pid, 50)
    sampler.ownReading(300e9)
    expect(sampler.treePeakBytes).toBe(0)
    expect(sampler.last).toBeNull()
  })

  test("the child is asked for its readings only without procfs, at the sampler's pace", () => {
    vi.stubEnv('VITEST_MEMORY_FORCE_FALLBACK', '1')
    const fallback = childLaunch(launchOptions, '/repo', '/repo/a.test.ts')
    expect(readChildSettings({ ...fallback.env }).selfReadingsMs).toBe(20)
    vi.stubEnv('VITEST_MEMORY_FORCE_FALLBACK', '0')
    const procfs = childLaunch(launchOptions, '/repo', '/repo/a.test.ts')
    expect(JSON.parse(procfs.env[CHILD_SETTINGS_ENV])).not.toHaveProperty('selfReadingsMs')
  })
})
