// Snapshots under memoryPool: a changed output fails them, `-u` rewrites them (file, inline and
// raw file snapshots) exactly as under forks. Works on fresh copies so the repository stays clean.
import { readFileSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { expect, test } from 'vitest'
import { copyFixture, runWithOutcomes } from './helpers.js'

const SNAPSHOT_FILES = ['snap.test.ts', '__snapshots__/snap.test.ts.snap', '__snapshots__/raw.txt']

function changeOutput(dir: string): void {
  const render = join(dir, 'src/render.ts')
  writeFileSync(render, readFileSync(render, 'utf8').replace('Hello, ', 'Hi there, '))
}

const read = (dir: string) => SNAPSHOT_FILES.map(f => readFileSync(join(dir, f), 'utf8'))

test('committed snapshots pass, a change fails them, -u rewrites them as forks does', async () => {
  const ours = copyFixture('parity-snapshots')
  const forks = copyFixture('parity-snapshots')

  const clean = await runWithOutcomes('vitest', ours, ['run'])
  expect(clean.code, clean.output).toBe(0)
  expect(clean.outcomes).toMatchObject({ passed: 3, failed: 0 })

  changeOutput(ours)
  changeOutput(forks)
  const changed = await runWithOutcomes('vitest', ours, ['run'])
  expect(changed.code).toBe(1)
  expect(changed.outcomes).toMatchObject({ passed: 0, failed: 3 })
  expect(changed.output).toMatch(/Snapshots\s+3 failed/)
  expect(changed.report!.files[0]).toMatchObject({ file: 'snap.test.ts', state: 'fail', method: 'procfs' })

  const updated = await runWithOutcomes('vitest', ours, ['run', '-u'])
  expect(updated.code, updated.output).toBe(0)
  expect(updated.output).toMatch(/Snapshots\s+3 updated/)
  const [inline, snap, raw] = read(ours)
  expect(inline).toContain('"greeting": "Hi there, inline!"')
  expect(snap).toContain('"greeting": "Hi there, file!"')
  expect(raw).toBe('Hi there, raw!')

  const updatedByForks = await runWithOutcomes('vitest', forks, ['run', '-u', '--pool=forks'])
  expect(updatedByForks.code, updatedByForks.output).toBe(0)
  expect(read(ours)).toEqual(read(forks))

  const again = await runWithOutcomes('vitest', ours, ['run'])
  expect(again.code, again.output).toBe(0)
  expect(again.outcomes).toMatchObject({ passed: 3, failed: 0 })
}, 180_000)
