// The words for a peak profile: the Buffer note's thresholds, and `why` reading a journal's sites.
import { describe, expect, test } from 'vitest'
import { analyzeJournal, renderWhy } from '../src/cli/why.js'
import { nativeNote, peakLabel, siteSummary } from '../src/profile/site-text.js'

describe('nativeNote', () => {
  test('names Buffers that are a real part of the RSS, not a few MB of them', () => {
    expect(nativeNote(312e6, 400e6)).toBe('312 MB in ArrayBuffers/Buffers, outside the V8 heap')
    expect(nativeNote(10e6, 20e6)).toBeNull() // under 16 MiB
    expect(nativeNote(50e6, 1000e6)).toBeNull() // 5% of the RSS
    expect(nativeNote(null, 400e6)).toBeNull()
  })

  test('labels and summaries', () => {
    expect(peakLabel(354e6, 468e6)).toBe('live at the peak (354 MB of 468 MB RSS)')
    expect(siteSummary({ functionName: 'fillCache', file: 'cache.test.ts', line: 6, bytes: 408e6, share: 0.991 })).toBe(
      'fillCache (cache.test.ts:6) 408 MB, 99%',
    )
  })
})

describe('why with --heap-profile=peak lines', () => {
  const site = (functionName: string, bytes: number, share: number) => ({ functionName, file: 'grow.test.ts', line: 4, bytes, share })
  const lines = [
    { t: 'run', at: 1000, pid: 1, argv: [], cwd: '/r', limitBytes: null, limits: [], totalMemoryBytes: 8e9, cgroupLimitBytes: null, cpus: 2 },
    { t: 'file-start', at: 1100, file: 'grow.test.ts', project: '', pid: 7, limitBytes: null },
    { t: 'sample', at: 2000, file: 'grow.test.ts', pid: 7, rssBytes: 200e6, treeRssBytes: 200e6 },
    {
      t: 'sites',
      at: 2500,
      file: 'grow.test.ts',
      pid: 7,
      capturedAtRssBytes: 180e6,
      sampledBytes: 100e6,
      arrayBuffersBytes: 0,
      sites: [site('early', 90e6, 0.9)],
    },
    {
      t: 'sites',
      at: 4500,
      file: 'grow.test.ts',
      pid: 7,
      capturedAtRssBytes: 380e6,
      sampledBytes: 300e6,
      arrayBuffersBytes: 0,
      sites: [site('growSlowly', 290e6, 0.97)],
    },
    { t: 'sample', at: 5000, file: 'grow.test.ts', pid: 7, rssBytes: 400e6, treeRssBytes: 400e6 },
  ]
  const journal = `${lines.map(l => JSON.stringify(l)).join('\n')}\n`

  test('the file in flight shows the sites of its latest flush', () => {
    const analysis = analyzeJournal(journal)
    expect(analysis.running[0].sites?.sites[0].functionName).toBe('growSlowly')
    const text = renderWhy(analysis)
    expect(text).toContain('which lines were allocating: the sites live at its highest so far (300 MB of 380 MB RSS):')
    expect(text).toMatch(/290 MB\s+97%\s+growSlowly\s+grow\.test\.ts:4/)
    expect(text).not.toContain('early')
  })

  test('a journal without sites reads as before', () => {
    const plain = `${lines
      .filter(l => l.t !== 'sites')
      .map(l => JSON.stringify(l))
      .join('\n')}\n`
    expect(renderWhy(analyzeJournal(plain))).not.toContain('which lines')
  })
})
