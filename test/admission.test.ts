// The admission gate with fake memory readings: no processes, no real time.
import { describe, expect, test } from 'vitest'
import { AdmissionGate, autoCeiling, predictPeak, UNKNOWN_FILE_PEAK_BYTES, type Ticket } from '../src/policy/admission.js'

const GB = 1e9

/** Tracks which admissions have resolved, without waiting on real time. */
function track(promise: Promise<Ticket>) {
  const state: { ticket?: Ticket } = {}
  promise.then(ticket => {
    state.ticket = ticket
  })
  return state
}

const flush = () => new Promise(resolve => setImmediate(resolve))

describe('AdmissionGate', () => {
  test('admits files while their predicted peaks fit under the ceiling, then waits for room', async () => {
    const gate = new AdmissionGate(4 * GB)
    const a = track(gate.admit(1.5 * GB))
    const b = track(gate.admit(1.5 * GB))
    const c = track(gate.admit(1.5 * GB))
    await flush()
    expect([!!a.ticket, !!b.ticket, !!c.ticket]).toEqual([true, true, false])
    expect(gate.status()).toEqual({ inUseBytes: 3 * GB, ceilingBytes: 4 * GB, running: 2, waiting: 1 })
    a.ticket!.release()
    await flush()
    expect(c.ticket).toBeDefined()
  })

  test('counts what a running file holds now when it is above its prediction', async () => {
    let heavyNow = 0.5 * GB
    const gate = new AdmissionGate(4 * GB)
    const heavy = track(gate.admit(1 * GB, () => heavyNow))
    await flush()
    heavyNow = 3.5 * GB // it grew past its prediction
    const next = track(gate.admit(1 * GB))
    await flush()
    expect(next.ticket).toBeUndefined()
    heavyNow = 2 * GB // it freed memory: re-evaluation lets the next file in
    gate.reevaluate()
    await flush()
    expect(next.ticket).toBeDefined()
    expect(heavy.ticket).toBeDefined()
  })

  test('a file predicted larger than the ceiling runs alone, never deadlocks', async () => {
    const gate = new AdmissionGate(2 * GB)
    const small = track(gate.admit(0.5 * GB))
    const huge = track(gate.admit(5 * GB))
    await flush()
    expect(small.ticket).toBeDefined()
    expect(huge.ticket).toBeUndefined()
    small.ticket!.release()
    await flush()
    expect(huge.ticket).toBeDefined()
    expect(gate.status().running).toBe(1)
  })

  test('a ceiling smaller than one file still runs files, one at a time', async () => {
    const gate = new AdmissionGate(100e6)
    const first = track(gate.admit(300e6))
    const second = track(gate.admit(300e6))
    await flush()
    expect(first.ticket).toBeDefined()
    expect(second.ticket).toBeUndefined()
    first.ticket!.release()
    await flush()
    expect(second.ticket).toBeDefined()
  })

  test('admits in arrival order: a waiting large file is not starved by small ones behind it', async () => {
    const gate = new AdmissionGate(4 * GB)
    const running = track(gate.admit(3 * GB))
    const large = track(gate.admit(2 * GB))
    const small = track(gate.admit(0.1 * GB))
    await flush()
    expect(running.ticket).toBeDefined()
    expect(large.ticket).toBeUndefined()
    expect(small.ticket).toBeUndefined() // it would fit, but the large file is first in line
    running.ticket!.release()
    await flush()
    expect(large.ticket).toBeDefined()
    expect(small.ticket).toBeDefined()
  })

  test('memory held outside files (spare processes) counts against the ceiling', async () => {
    let spares = 0
    const gate = new AdmissionGate(1 * GB, () => spares)
    track(gate.admit(0.4 * GB))
    spares = 0.5 * GB
    const next = track(gate.admit(0.4 * GB))
    await flush()
    expect(next.ticket).toBeUndefined()
    spares = 0
    gate.reevaluate()
    await flush()
    expect(next.ticket).toBeDefined()
  })

  test('tells the caller when a file has to wait, with the memory in use', async () => {
    const seen: string[] = []
    const gate = new AdmissionGate(
      2 * GB,
      () => 0,
      s => seen.push(`${s.inUseBytes / GB}/${s.ceilingBytes / GB} running ${s.running} waiting ${s.waiting}`),
    )
    track(gate.admit(1.5 * GB))
    track(gate.admit(1 * GB))
    await flush()
    expect(seen).toEqual(['1.5/2 running 1 waiting 1'])
  })

  test('release is idempotent', async () => {
    const gate = new AdmissionGate(1 * GB)
    const a = track(gate.admit(0.6 * GB))
    await flush()
    a.ticket!.release()
    a.ticket!.release()
    expect(gate.status().running).toBe(0)
  })
})

describe('predictPeak', () => {
  test('a measured file is predicted at its last peak', () => {
    expect(predictPeak(700e6, [1, 2, 3])).toBe(700e6)
  })
  test('an unknown file is predicted at the median of the known files', () => {
    expect(predictPeak(null, [100, 900, 300])).toBe(300)
    expect(predictPeak(null, [100, 200, 300, 1000])).toBe(250)
  })
  test('with nothing known, the documented default', () => {
    expect(predictPeak(null, [])).toBe(UNKNOWN_FILE_PEAK_BYTES)
  })
})

describe('autoCeiling', () => {
  test('is 80% of the cgroup limit when there is one, else of total memory', () => {
    expect(autoCeiling(4 * GB, 24 * GB)).toBe(3.2 * GB)
    expect(autoCeiling(null, 10 * GB)).toBe(8 * GB)
    expect(autoCeiling(64 * GB, 10 * GB)).toBe(8 * GB)
  })
})
