// A history far larger than any suite (a cache restored run after run): the run still runs, is
// ordered and reported, and the history written back is bounded.
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { expect, test } from 'vitest'
import { MAX_HISTORY_ENTRIES } from '../src/record/history-bound.js'
import { run } from './helpers.js'

/** Past ~120k values, spreading them into Math.max overflowed the call stack. */
const ENTRIES = 130_000
/**
 * Reading and checking 130k entries takes ~2 s each time the run reads the history (about 15 s in
 * all on a quiet machine); a loaded 2-core machine was seen needing more than 60 s.
 */
const RUN_TIMEOUT_MS = 240_000

test(
  `a ${ENTRIES / 1000}k-entry history: the run runs and reports; the history written back is bounded`,
  async () => {
    const path = join(mkdtempSync(join(tmpdir(), 'vm-history-size-')), 'history.json')
    const entries = Array.from({ length: ENTRIES }, (_, i) => ({
      project: '',
      file: `gone/${i}.test.ts`,
      runs: [{ at: '2026-11-20T08:00:00.000Z', peakRssBytes: 50e6 + i, treePeakRssBytes: 50e6 + i, durationMs: 100 + (i % 500), state: 'pass' }],
    }))
    writeFileSync(path, JSON.stringify({ schemaVersion: 1, entries }))
    const result = await run('cli', 'bad-annotation', ['run', 'fine', '--memory-history', path], { timeoutMs: RUN_TIMEOUT_MS })
    expect(result.code, result.output).toBe(0)
    expect(result.output).not.toMatch(/Maximum call stack|RangeError/)
    expect(result.report?.files.map(f => f.file)).toEqual(['fine.test.ts'])
    const written = JSON.parse(readFileSync(path, 'utf8'))
    // The missing files are pruned; what remains is within the bound either way.
    expect(written.entries.length).toBeLessThanOrEqual(MAX_HISTORY_ENTRIES)
    expect(written.entries.map((e: { file: string }) => e.file)).toContain('fine.test.ts')
  },
  RUN_TIMEOUT_MS + 10_000,
)
