// vm mode's pure decisions: how Vitest's vmMemoryLimit becomes an RSS threshold, and what stands
// in for each of Vitest's pools under the CLI.
import { describe, expect, test } from 'vitest'
import { vmMemoryLimitBytes, vmRecycleThreshold } from '../src/policy/vm-recycle.js'
import { standInFor, standInLine } from '../src/pool/pool-choice.js'
import { isVmWorkerEntry } from '../src/vitest-internals/worker-entries.js'

const GB = 1e9

describe('vmMemoryLimit read as Vitest reads it', () => {
  test("unset: total memory split over the workers (Vitest's default)", () => {
    expect(vmMemoryLimitBytes(undefined, 16 * GB, 4)).toBe(4 * GB)
    expect(vmMemoryLimitBytes(undefined, 16 * GB, 0)).toBe(16 * GB)
  })
  test("sizes in Vitest's units (MB = 10^6, MiB = 2^20), shares and percentages of total memory, byte counts", () => {
    expect(vmMemoryLimitBytes('300MB', 16 * GB, 1)).toBe(300e6)
    expect(vmMemoryLimitBytes('1GiB', 16 * GB, 1)).toBe(1024 ** 3)
    expect(vmMemoryLimitBytes('25%', 16 * GB, 1)).toBe(4 * GB)
    expect(vmMemoryLimitBytes(0.5, 16 * GB, 1)).toBe(8 * GB)
    expect(vmMemoryLimitBytes(123456789, 16 * GB, 1)).toBe(123456789)
  })
  test('what Vitest would not read either: no threshold', () => {
    expect(vmMemoryLimitBytes('lots', 16 * GB, 1)).toBeNull()
    expect(vmMemoryLimitBytes(-5, 16 * GB, 1)).toBeNull()
  })
  test('recycleAbove wins over vmMemoryLimit', () => {
    expect(vmRecycleThreshold(200e6, '1GB', 16 * GB, 1)).toBe(200e6)
    expect(vmRecycleThreshold(null, '1GB', 16 * GB, 1)).toBe(1e9)
  })
})

describe('what stands in for the pool the user chose', () => {
  test("Vitest's pools: processes for threads, vm mode for the vm pools; a custom pool: nothing", () => {
    expect(standInFor('forks')).toEqual({ vm: false, how: '' })
    expect(standInFor('threads')!.vm).toBe(false)
    expect(standInFor('vmForks')!.vm).toBe(true)
    expect(standInFor('vmThreads')!.vm).toBe(true)
    expect(standInFor('my-pool')).toBeNull()
    expect(standInFor('browser')).toBeNull()
  })
  test('one line per stand-in, none for forks', () => {
    expect(standInLine('forks', "the root project names pool 'forks'")).toBe('')
    expect(standInLine('vmThreads', '--pool vmThreads')).toMatch(/^vitest-memory: --pool vmThreads: it runs in vm mode, in processes, not threads/)
  })
  test("Vitest's vm worker entries are told from its forks worker", () => {
    expect(isVmWorkerEntry('/x/node_modules/vitest/dist/workers/vmForks.js')).toBe(true)
    expect(isVmWorkerEntry('/x/node_modules/vitest/dist/workers/forks.js')).toBe(false)
  })
})
