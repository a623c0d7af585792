// The per-file meter of a shared process, with fake readings: when the GC runs, and what a file
// is charged with.
import { describe, expect, test } from 'vitest'
import { SharedFileMeter, type SharedProbe } from '../src/measure/shared-file.js'
import { autoRecycleAbove, recycleReason } from '../src/policy/recycle.js'
import { leftBehind } from '../src/policy/retained.js'

const MB = 1e6

/** A process whose memory is `live` (kept) + `garbage` (freed by the next GC). */
function fakeProcess() {
  const state = { live: 60 * MB, garbage: 0, gcs: 0 }
  const probe: SharedProbe = {
    readRss: () => state.live + state.garbage,
    readJs: () => state.live + state.garbage - 40 * MB,
    resetPeak: () => true,
    gc: () => {
      state.gcs++
      state.garbage = 0
    },
    now: () => state.gcs * 10,
  }
  return { state, probe }
}

describe('SharedFileMeter', () => {
  test("vm mode: a file's GC waits for its context to be let go; a context freed then is not charged, a leak is, to its file alone", () => {
    const { state, probe } = fakeProcess()
    const meter = new SharedFileMeter(probe, { gcAboveBytes: 25 * MB, gcEveryFile: false })
    const CONTEXT = 40 * MB
    // A file starts in its fresh context (its first setup file).
    state.live += CONTEXT
    meter.fileStarted()
    // File 1 keeps 120 MB in its own context only; file 2 keeps 120 MB on `process`.
    state.live += 120 * MB
    expect(meter.fileEndedUnsettled()).toMatchObject({ order: 1, retainedBytes: null, retainedFiles: 0 })
    // The next context is set up: file 1's is let go (garbage until the GC), file 2's is live.
    state.live -= CONTEXT + 120 * MB
    state.garbage += CONTEXT + 120 * MB
    state.live += CONTEXT
    const first = meter.settlePrevious()!
    expect(first).toMatchObject({ order: 1, retainedBytes: 0, retainedHeapBytes: 0, retainedFiles: 1 })
    expect(leftBehind({ retainedBytes: first.retainedBytes!, retainedHeapBytes: first.retainedHeapBytes! }, 50 * MB)).toBe(false)
    meter.fileStarted()
    state.live += 120 * MB
    meter.fileEndedUnsettled()
    const second = meter.settlePrevious()!
    expect(second).toMatchObject({ order: 2, retainedBytes: 120 * MB, retainedHeapBytes: 120 * MB, retainedFiles: 1 })
    // Nothing waits now.
    expect(meter.settlePrevious()).toBeNull()
  })

  test('garbage allowance: files leaving 10 MB of garbage get a GC every 5 files (not 3) once 4 GCs measured it; a 50 MB leaker still gets one at once', () => {
    const { state, probe } = fakeProcess()
    const meter = new SharedFileMeter(probe, { gcAboveBytes: 25 * MB, gcEveryFile: false })
    const gcAfter: number[] = []
    const runFile = (kept = 0) => {
      meter.fileStarted()
      state.garbage += 10 * MB
      state.live += kept
      const before = state.gcs
      const figures = meter.fileFinished()!
      if (state.gcs > before) gcAfter.push(figures.order)
      return figures
    }
    for (let i = 0; i < 22; i++) runFile()
    // Files 3, 6, 9, 12 by growth alone (30 MB ≥ 25); then 10 MB a file is allowed: 50 ≥ 25 + 25 at file 17, 22.
    expect(gcAfter).toEqual([3, 6, 9, 12, 17, 22])
    const leaker = runFile(50 * MB)
    expect(gcAfter.at(-1)).toBe(23)
    expect(leaker).toMatchObject({ retainedBytes: 50 * MB, retainedFiles: 1 })
    expect(leftBehind({ retainedBytes: leaker.retainedBytes!, retainedHeapBytes: leaker.retainedHeapBytes! }, 50 * MB)).toBe(true)
  })

  test('garbage allowance: clean files that keep 8 MB each beside their garbage still get a GC before they keep 25 MB together', () => {
    const { state, probe } = fakeProcess()
    const meter = new SharedFileMeter(probe, { gcAboveBytes: 25 * MB, gcEveryFile: false })
    for (let i = 0; i < 12; i++) {
      meter.fileStarted()
      state.garbage += 10 * MB
      meter.fileFinished()
    }
    const kept: number[] = []
    for (let i = 0; i < 9; i++) {
      meter.fileStarted()
      state.garbage += 10 * MB
      state.live += 8 * MB
      const figures = meter.fileFinished()!
      if (figures.retainedBytes != null) kept.push(figures.retainedBytes)
    }
    expect(kept.length).toBeGreaterThan(0)
    for (const bytes of kept) expect(bytes).toBeLessThan(25 * MB)
  })

  test('no GC after a file that grew less than the trigger; the leaker gets a GC and its own figure', () => {
    const { state, probe } = fakeProcess()
    const meter = new SharedFileMeter(probe, { gcAboveBytes: 25 * MB, gcEveryFile: false })
    meter.fileStarted() // first file: one GC for a clean baseline
    state.garbage += 10 * MB
    const clean = meter.fileFinished()!
    expect(clean).toMatchObject({ order: 1, retainedBytes: null, retainedFiles: 0, gcMs: 0 })
    expect(state.gcs).toBe(1)
    meter.fileStarted()
    state.live += 120 * MB
    const leak = meter.fileFinished()!
    expect(leak.retainedFiles).toBe(2)
    expect(leak.retainedBytes).toBe(120 * MB)
    expect(leak.retainedHeapBytes).toBe(120 * MB)
    expect(leftBehind({ retainedBytes: leak.retainedBytes!, retainedHeapBytes: leak.retainedHeapBytes! }, 50 * MB)).toBe(true)
  })

  test('small amounts kept by many clean files never add up to a name', () => {
    const { state, probe } = fakeProcess()
    const meter = new SharedFileMeter(probe, { gcAboveBytes: 25 * MB, gcEveryFile: false })
    for (let i = 0; i < 50; i++) {
      meter.fileStarted()
      state.live += 3 * MB
      const figures = meter.fileFinished()!
      if (figures.retainedBytes != null) {
        expect(leftBehind({ retainedBytes: figures.retainedBytes, retainedHeapBytes: figures.retainedHeapBytes! }, 50 * MB)).toBe(false)
      }
    }
  })

  test('gcEveryFile gives every file its own figure', () => {
    const { state, probe } = fakeProcess()
    const meter = new SharedFileMeter(probe, { gcAboveBytes: 25 * MB, gcEveryFile: true })
    meter.fileStarted()
    state.live += 2 * MB
    expect(meter.fileFinished()).toMatchObject({ retainedBytes: 2 * MB, retainedFiles: 1 })
  })
})

describe('recycling', () => {
  test('recycles only above the threshold', () => {
    expect(recycleReason(601e6, 600e6)).toBe('rss-above-threshold')
    expect(recycleReason(600e6, 600e6)).toBeNull()
    expect(recycleReason(900e6, null)).toBeNull()
  })

  test('auto: half the smaller of container and machine memory, split over the workers', () => {
    expect(autoRecycleAbove(null, 16e9, 4)).toBe(2e9)
    expect(autoRecycleAbove(4e9, 16e9, 2)).toBe(1e9)
  })
})
