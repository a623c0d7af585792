// The per-test tracker with a fake process: readings are what a fake kernel says.
import { describe, expect, test } from 'vitest'
import { TestPeakTracker, type MemoryProbe } from '../src/measure/test-peaks.js'

/** A process whose RSS we set; the peak follows it and is reset like the kernel's. */
class FakeProcess implements MemoryProbe {
  rss = 60
  peak = 60
  heap = 10
  resets = 0
  canReset = true
  gcCalls = 0
  set(rss: number): void {
    this.rss = rss
    this.peak = Math.max(this.peak, rss)
  }
  read = () => ({ peakBytes: this.peak, rssBytes: this.rss })
  resetPeak = () => {
    if (!this.canReset) return false
    this.resets++
    this.peak = this.rss
    return true
  }
  heapUsed = () => this.heap
}

describe('TestPeakTracker', () => {
  test('each test gets the peak reached while it ran, not an earlier one', () => {
    const proc = new FakeProcess()
    const tracker = new TestPeakTracker(proc, () => 0)
    proc.set(80) // imports
    tracker.testStarted('heavy')
    proc.set(380)
    proc.set(70)
    const heavy = tracker.testFinished('heavy')!
    tracker.testStarted('light')
    proc.set(75)
    const light = tracker.testFinished('light')!
    expect(heavy).toMatchObject({ peakRssBytes: 380, startRssBytes: 80, overlapping: false, method: 'clear_refs', order: 0 })
    expect(light).toMatchObject({ peakRssBytes: 75, startRssBytes: 70, order: 1 })
    expect(tracker.setupPeakRssBytes).toBe(80)
  })

  test('the file peak stays the maximum over the whole file although the kernel peak was reset', () => {
    const proc = new FakeProcess()
    const tracker = new TestPeakTracker(proc, () => 0)
    tracker.testStarted('a')
    proc.set(300)
    proc.set(60)
    tracker.testFinished('a')
    expect(proc.peak).toBe(60)
    expect(tracker.fileFinished()).toEqual({ peakRssBytes: 300, setupPeakRssBytes: 60 })
  })

  test('memory used between tests (a later beforeAll) is not charged to the next test', () => {
    const proc = new FakeProcess()
    const tracker = new TestPeakTracker(proc, () => 0)
    tracker.testStarted('a')
    tracker.testFinished('a')
    proc.set(250) // a describe's beforeAll
    proc.set(100)
    tracker.testStarted('b')
    const b = tracker.testFinished('b')!
    expect(b.peakRssBytes).toBe(100)
    expect(tracker.fileFinished().peakRssBytes).toBe(250)
  })

  test('a setup-heavy file: the setup peak holds the file peak', () => {
    const proc = new FakeProcess()
    const tracker = new TestPeakTracker(proc, () => 0)
    proc.set(270)
    tracker.testStarted('a')
    const a = tracker.testFinished('a')!
    expect(a.peakRssBytes - a.startRssBytes).toBe(0)
    expect(tracker.fileFinished()).toEqual({ peakRssBytes: 270, setupPeakRssBytes: 270 })
  })

  test('concurrent tests are marked overlapping and the peak is never reset under a running test', () => {
    const proc = new FakeProcess()
    const tracker = new TestPeakTracker(proc, () => 0)
    tracker.testStarted('first')
    proc.set(120)
    tracker.testStarted('second')
    const resetsWhileRunning = proc.resets
    proc.set(180)
    const first = tracker.testFinished('first')!
    expect(proc.resets).toBe(resetsWhileRunning)
    const second = tracker.testFinished('second')!
    expect(first).toMatchObject({ overlapping: true, peakRssBytes: 180 })
    expect(second).toMatchObject({ overlapping: true, peakRssBytes: 180 })
    tracker.testStarted('alone')
    expect(tracker.testFinished('alone')!.overlapping).toBe(false)
  })

  test('without a resettable peak the method says running-max', () => {
    const proc = new FakeProcess()
    proc.canReset = false
    const tracker = new TestPeakTracker(proc, () => 0)
    tracker.testStarted('heavy')
    proc.set(300)
    proc.set(60)
    tracker.testFinished('heavy')
    tracker.testStarted('light')
    expect(tracker.testFinished('light')).toMatchObject({ peakRssBytes: 300, method: 'running-max' })
  })

  test('heap delta, duration, and heap after a forced GC when one is given', () => {
    const proc = new FakeProcess()
    let now = 0
    const withGc: MemoryProbe = {
      ...proc,
      read: proc.read,
      resetPeak: proc.resetPeak,
      heapUsed: () => proc.heap,
      gc: () => {
        proc.heap = 12
      },
    }
    const tracker = new TestPeakTracker(withGc, () => now)
    tracker.testStarted('a')
    proc.heap = 50
    now = 42
    expect(tracker.testFinished('a')).toMatchObject({ heapDeltaBytes: 40, heapAfterGcBytes: 12, durationMs: 42 })
    expect(new TestPeakTracker(proc, () => 0).testFinished('never started')).toBeNull()
  })
})
