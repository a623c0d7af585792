// The run-wide gate with a fake clock: waiting files are re-checked on a timer, and the
// "waiting for memory" line is not repeated more than once every couple of seconds.
import { afterEach, expect, test, vi } from 'vitest'
import { resolveOptions } from '../src/options.js'
import { runScheduling } from '../src/pool/run-scheduling.js'
import { runSession } from '../src/run-session.js'

afterEach(() => {
  runSession().end()
  vi.useRealTimers()
})

test('a waiting file is admitted by the periodic re-check once memory is given back', async () => {
  vi.useFakeTimers()
  const lines: string[] = []
  const options = resolveOptions({ maxMemory: '1GB', spareProcesses: 0, history: false }, {}, {}, process.cwd())
  const { gate } = runScheduling(options, { log: (line: unknown) => lines.push(String(line)) })
  let firstHolds = 0.9e9
  await gate!.admit(0.3e9, () => firstHolds)
  let admitted = false
  gate!.admit(0.3e9).then(() => {
    admitted = true
  })
  gate!.admit(0.05e9)
  await vi.advanceTimersByTimeAsync(500)
  expect(admitted).toBe(false)
  expect(lines).toHaveLength(1)
  expect(lines[0]).toContain('vitest-memory: waiting for memory: 900 MB / 1.00 GB in use (1 running, 1 waiting)')

  firstHolds = 0.5e9
  await vi.advanceTimersByTimeAsync(100)
  expect(admitted).toBe(true)
  // the notice is throttled: the third file's wait did not print a second line within 2 s
  expect(lines).toHaveLength(1)
})

test('no ceiling, no gate', () => {
  const options = resolveOptions({ spareProcesses: 0, history: false }, {}, {}, process.cwd())
  expect(runScheduling(options, { log: () => {} }).gate).toBeNull()
})
