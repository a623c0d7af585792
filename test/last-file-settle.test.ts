// vm mode's question to a process about its last file (pool/vm-lifecycle.ts): answered, expected
// at a stop, and bounded when the process never answers.
import { afterEach, beforeEach, describe, expect, test, vi } from 'vitest'
import { isVmSettleRequest } from '../src/pool/protocol.js'
import { LastFileSettle } from '../src/pool/vm-lifecycle.js'

describe('LastFileSettle', () => {
  beforeEach(() => {
    vi.useFakeTimers()
  })
  afterEach(() => {
    vi.useRealTimers()
  })

  test('ask sends the settle request and resolves once the process answered', async () => {
    const settle = new LastFileSettle()
    const sent: unknown[] = []
    let done = false
    void settle.ask({ send: message => sent.push(message) }).then(() => (done = true))
    expect(sent.map(isVmSettleRequest)).toEqual([true])
    await Promise.resolve()
    expect(done).toBe(false)
    settle.answered()
    await vi.waitFor(() => expect(done).toBe(true))
    expect(settle.waiting).toBeUndefined()
  })

  test('a stop sent to the process is waited for without a question of its own', async () => {
    const settle = new LastFileSettle()
    settle.expect()
    const waiting = settle.waiting
    expect(waiting).toBeInstanceOf(Promise)
    settle.expect() // a second stop: the same wait
    expect(settle.waiting).toBe(waiting)
    settle.answered()
    await expect(waiting).resolves.toBeUndefined()
  })

  test('a process that never answers holds the report 10 s at most', async () => {
    const settle = new LastFileSettle()
    let done = false
    void settle.ask({ send: () => {} }).then(() => (done = true))
    await vi.advanceTimersByTimeAsync(9_999)
    expect(done).toBe(false)
    await vi.advanceTimersByTimeAsync(1)
    expect(done).toBe(true)
  })
})
