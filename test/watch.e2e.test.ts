// Watch mode under memoryPool: an edit reruns the affected file and the memory table is printed
// for the rerun, report.json stays a report of the whole suite (the rerun merged into the last
// one); killing Vitest leaves no test process behind.
import { existsSync, readFileSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { afterEach, expect, test } from 'vitest'
import { listDescendants } from '../src/measure/descendants.js'
import type { MemoryReport } from '../src/record/report.js'
import { cleanEnv, copyFixture } from './helpers.js'
import { assertFitsSchema } from './schema-check.js'
import { killWatchers, startWatch, until } from './watch-helpers.js'

afterEach(killWatchers)

const tables = (text: string) => text.split('MEMORY  peak RSS per test file').length - 1

test('an edit triggers a rerun with its own memory table; killing Vitest leaves no orphans', async () => {
  const dir = copyFixture('parity-watch')
  const env = cleanEnv({ VITEST_MEMORY_REPORT: join(dir, 'report.json') })
  const watch = startWatch(dir, env)
  const vitest = watch.child
  const exited = new Promise(resolve => vitest.on('exit', resolve))

  await until(
    "the first run's memory table",
    () => tables(watch.output) === 1 && watch.output.includes('Waiting for file changes'),
    () => watch.output,
  )
  expect(watch.output).toMatch(/value\.test\.ts\s+\d+\.?\d* MB/)
  expect(watch.output).toMatch(/other\.test\.ts\s+\d+\.?\d* MB/)
  const reportPath = join(dir, 'report.json')
  const first = JSON.parse(readFileSync(reportPath, 'utf8')) as MemoryReport
  expect(first.files.map(f => f.file).sort()).toEqual(['other.test.ts', 'value.test.ts'])
  expect(first.files.every(f => f.measuredAt === undefined)).toBe(true)

  // The edit reruns only the file that imports value.ts, and measures it again.
  const before = watch.output.length
  writeFileSync(join(dir, 'value.ts'), 'export const value = 2\nexport const holdMs = 0\n')
  await until(
    "the rerun's memory table",
    () => tables(watch.output) === 2 && watch.output.lastIndexOf('Waiting for file changes') > watch.output.lastIndexOf('MEMORY'),
    () => watch.output,
  )
  const rerun = watch.output.slice(before)
  expect(rerun).toMatch(/value\.test\.ts\s+\d+\.?\d* MB/)
  expect(rerun).not.toContain('other.test.ts')
  expect(rerun).toContain('1 file measured')
  // report.json: the rerun's file measured again, the other one kept from the first run and marked so.
  const merged = JSON.parse(readFileSync(reportPath, 'utf8')) as MemoryReport
  assertFitsSchema('report', merged, 'the merged report.json')
  expect(merged.run.startedAt > first.run.startedAt, `${merged.run.startedAt} after ${first.run.startedAt}`).toBe(true)
  const byName = new Map(merged.files.map(f => [f.file, f]))
  expect([...byName.keys()].sort()).toEqual(['other.test.ts', 'value.test.ts'])
  expect(byName.get('value.test.ts')!.measuredAt).toBeUndefined()
  expect(byName.get('value.test.ts')!.peakRssBytes).toBeGreaterThan(20e6)
  const kept = byName.get('other.test.ts')!
  const measuredFirst = first.files.find(f => f.file === 'other.test.ts')!
  expect(kept.measuredAt).toBe(first.run.startedAt)
  expect(kept.peakRssBytes).toBe(measuredFirst.peakRssBytes)
  expect(kept.startedAtMs).toBeUndefined()

  // Kill Vitest while a test process is running: that process must not outlive it. The wait is for
  // this edit's RERUN (the previous one's is already in the output, and a spare process of the
  // previous rerun may still be alive).
  const beforeHold = watch.output.length
  writeFileSync(join(dir, 'value.ts'), 'export const value = 3\nexport const holdMs = 20_000\n')
  const workers = await until(
    'a test process',
    () => {
      const pids = listDescendants(vitest.pid!)
      return watch.output.lastIndexOf('RERUN') > beforeHold && pids.some(isPoolChild) && pids
    },
    () => watch.output,
  )
  vitest.kill('SIGTERM')
  await exited
  await until(
    'the test processes to exit',
    () => workers.every(pid => !existsSync(`/proc/${pid}`) || isZombie(pid)),
    () => `still alive: ${workers.filter(pid => existsSync(`/proc/${pid}`))}`,
    10_000,
  )
}, 180_000)

/** The pool's test process: node running vitest-memory's child entry. */
function isPoolChild(pid: number): boolean {
  try {
    return readFileSync(`/proc/${pid}/cmdline`, 'utf8').includes('pool/child.')
  } catch {
    return false
  }
}

function isZombie(pid: number): boolean {
  try {
    return /^State:\s+Z/m.test(readFileSync(`/proc/${pid}/status`, 'utf8'))
  } catch {
    return true
  }
}
