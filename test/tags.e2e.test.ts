// memory_intensive end to end on test/fixtures/tags: comment.test.ts carries the comment,
// glob/e2e.test.ts matches the config glob, heavy.test.ts touches 100 MiB (tagged by the history),
// light.test.ts is untagged. Each file writes a marker at import, so "never started" is observable.
import { existsSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { describe, expect, test } from 'vitest'
import { fileEntry, run, type RunResult } from './helpers.js'

const ALL = ['comment', 'e2e', 'heavy', 'light']

function tempDir(prefix: string): string {
  return mkdtempSync(join(tmpdir(), prefix))
}

/** A history in which heavy.test.ts last peaked at 2 GB on 2026-11-20 (after `before`, when given). */
function craftedHistory(before: number[] = []): string {
  const path = join(tempDir('vm-tags-history-'), 'history.json')
  const run = (peak: number, day: number) => ({
    at: `2026-11-${String(day).padStart(2, '0')}T08:00:00.000Z`,
    peakRssBytes: peak,
    treePeakRssBytes: peak,
    durationMs: 900,
    state: 'pass',
  })
  const runs = [...before.map((peak, i) => run(peak, 10 + i)), run(2e9, 20)]
  writeFileSync(path, JSON.stringify({ schemaVersion: 1, entries: [{ project: '', file: 'heavy.test.ts', runs }] }))
  return path
}

async function runWithMarkers(command: 'cli' | 'vitest', args: string[], env: Record<string, string> = {}): Promise<RunResult & { started: string[] }> {
  const markers = tempDir('vm-markers-')
  // A history of its own, so no run reads what another one left in the fixture (a flag still wins).
  const history = join(tempDir('vm-h-'), 'history.json')
  const result = await run(command, 'tags', args, { env: { MARKER_DIR: markers, VITEST_MEMORY_HISTORY: history, ...env } })
  return { ...result, started: readdirSync(markers).sort() }
}

describe('the fast lane: --skip-memory-intensive', () => {
  test('a file the history tags since its last run (the run before was light) is named once, not skipped silently', async () => {
    const args = ['run', '--skip-memory-intensive', '--memory-intensive-above', '1GB']
    const newly = await run('cli', 'tags', [...args, '--memory-history', craftedHistory([150e6])])
    expect(newly.code, newly.output).toBe(0)
    expect(newly.stdout).toContain('vitest-memory: newly memory_intensive since the last run, not started: heavy.test.ts (history: 2.00 GB on 2026-11-20)')
    expect(fileEntry(newly, 'heavy.test.ts')).toMatchObject({ state: 'skip', newlyMemoryIntensive: true })
    // Heavy in the run before too: an old story, no line.
    const old = await run('cli', 'tags', [...args, '--memory-history', craftedHistory([1.8e9])])
    expect(old.code, old.output).toBe(0)
    expect(old.stdout).not.toContain('newly memory_intensive')
    expect(fileEntry(old, 'heavy.test.ts').newlyMemoryIntensive).toBeUndefined()
  })

  test('tagged files are never started, counted as skipped, and listed with their tag source', async () => {
    const result = await runWithMarkers('cli', ['run', '--skip-memory-intensive', '--memory-intensive-above', '1GB', '--memory-history', craftedHistory()])
    expect(result.code, result.output).toBe(0)
    // no process, no import: the top-level side effects of the three tagged files never happened
    expect(result.started).toEqual(['light'])
    expect(result.stdout).toMatch(/Test Files\s+1 passed \| 3 skipped \(4\)/)
    const reason = 'memory_intensive, not started by --skip-memory-intensive'
    expect(fileEntry(result, 'comment.test.ts')).toMatchObject({
      state: 'skip',
      skipReason: reason,
      tags: ['memory_intensive'],
      tagSource: 'comment',
      peakRssBytes: null,
    })
    expect(fileEntry(result, 'glob/e2e.test.ts')).toMatchObject({ state: 'skip', skipReason: reason, tags: ['memory_intensive'], tagSource: 'glob glob/**' })
    expect(fileEntry(result, 'heavy.test.ts')).toMatchObject({
      state: 'skip',
      skipReason: reason,
      tags: ['memory_intensive'],
      tagSource: 'history: 2.00 GB on 2026-11-20',
    })
    expect(fileEntry(result, 'light.test.ts')).toMatchObject({ state: 'pass', skipReason: null, tags: [], tagSource: null })
    expect(result.report!.files.filter(f => f.state === 'skip')).toHaveLength(3)
    expect(result.stdout).toContain(`NOT STARTED  3 files: ${reason}`)
    expect(result.stdout).toMatch(/comment\.test\.ts\s+memory_intensive: comment/)
    expect(result.stdout).toMatch(/glob\/e2e\.test\.ts\s+memory_intensive: glob glob\/\*\*/)
    expect(result.stdout).toMatch(/heavy\.test\.ts\s+memory_intensive: history: 2\.00 GB on 2026-11-20/)
  })

  test('VITEST_MEMORY_SKIP_INTENSIVE=1 does the same under plain vitest', async () => {
    const result = await runWithMarkers('vitest', ['run'], {
      VITEST_MEMORY_SKIP_INTENSIVE: '1',
      VITEST_MEMORY_HISTORY: craftedHistory(),
      VITEST_MEMORY_INTENSIVE_ABOVE: '1GB',
    })
    expect(result.code, result.output).toBe(0)
    expect(result.started).toEqual(['light'])
    expect(result.stdout).toMatch(/Test Files\s+1 passed \| 3 skipped \(4\)/)
  })
})

describe('the heavy lane: --only-memory-intensive', () => {
  test('only tagged files start; the others are skipped without a process', async () => {
    const result = await runWithMarkers('cli', ['run', '--only-memory-intensive', '--memory-intensive-above', '1GB', '--memory-history', craftedHistory()])
    expect(result.code, result.output).toBe(0)
    expect(result.started).toEqual(['comment', 'e2e', 'heavy'])
    expect(result.stdout).toMatch(/Test Files\s+3 passed \| 1 skipped \(4\)/)
    expect(fileEntry(result, 'light.test.ts')).toMatchObject({
      state: 'skip',
      skipReason: 'not memory_intensive, not started by --only-memory-intensive',
      tags: [],
    })
    // the glob's tag reaches Vitest too, so its tests run (and a test-level filter would see it)
    expect(fileEntry(result, 'glob/e2e.test.ts')).toMatchObject({ state: 'pass', tags: ['memory_intensive'], tagSource: 'glob glob/**' })
    expect(fileEntry(result, 'heavy.test.ts').peakRssBytes).toBeGreaterThan(100 * 1024 * 1024)
  })
})

describe("the user's own --tags-filter", () => {
  test('a file it excludes by its file tags is not started at all', async () => {
    const result = await runWithMarkers('vitest', ['run', '--tags-filter', '!memory_intensive'])
    expect(result.code, result.output).toBe(0)
    expect(result.started).toEqual(['heavy', 'light'])
    expect(result.stdout).toMatch(/Test Files\s+2 passed \| 2 skipped \(4\)/)
    expect(fileEntry(result, 'comment.test.ts')).toMatchObject({ state: 'skip', skipReason: 'excluded by --tags-filter "!memory_intensive"' })
  })
})

describe("the tag in Vitest's config", () => {
  test('plain vitest runs comment-tagged files although the config defines no tags (strictTags)', async () => {
    const result = await runWithMarkers('vitest', ['run'], { VITEST_MEMORY_HISTORY: join(tempDir('vm-h-'), 'h.json') })
    expect(result.code, result.output).toBe(0)
    expect(result.started).toEqual(ALL)
    expect(result.stdout).toMatch(/Test Files\s+4 passed \(4\)/)
  })

  test('--list-tags shows it with its description: through the CLI, and with memoryIntensiveTag in the config', async () => {
    const cli = await run('cli', 'tags', ['--list-tags'], { report: false })
    expect(cli.code, cli.output).toBe(0)
    expect(cli.stdout).toMatch(/memory_intensive: heavy on memory \(vitest-memory\)/)
    const plain = await run('vitest', 'tags', ['--list-tags', '--config', 'vitest.tags.config.ts'])
    expect(plain.code, plain.output).toBe(0)
    expect(plain.stdout).toMatch(/memory_intensive: heavy on memory \(vitest-memory\)/)
    expect(plain.stdout).toContain('slow: takes a while')
  })
})

describe('the history', () => {
  test('a file measured above the budget last time is tagged by the history (the budget is the default threshold)', async () => {
    const history = join(tempDir('vm-h-'), 'history.json')
    const first = await run('cli', 'tags', ['run', 'heavy.test.ts', 'light.test.ts', '--memory-history', history])
    expect(first.code, first.output).toBe(0)
    const measured = fileEntry(first, 'heavy.test.ts').treePeakRssBytes!
    const second = await runWithMarkers('cli', [
      'run',
      'heavy.test.ts',
      'light.test.ts',
      '--skip-memory-intensive',
      '--memory-budget',
      '130MB',
      '--memory-history',
      history,
    ])
    expect(second.code, second.output).toBe(0)
    expect(second.started).toEqual(['light'])
    const today = first.report!.run.startedAt.slice(0, 10)
    const entry = fileEntry(second, 'heavy.test.ts')
    expect(entry).toMatchObject({ state: 'skip', tags: ['memory_intensive'] })
    expect(entry.tagSource).toMatch(new RegExp(`^history: 1\\d\\d MB on ${today}$`))
    expect(entry.tagSource).toContain(`${Math.round(measured / 1e6)} MB`)
  })

  test('two runs at the same time both land in one history', async () => {
    const history = join(tempDir('vm-h-'), 'history.json')
    const [a, b] = await Promise.all([
      run('cli', 'tags', ['run', 'light.test.ts', '--memory-history', history]),
      run('cli', 'tags', ['run', 'comment.test.ts', '--memory-history', history]),
    ])
    expect(a.code, a.output).toBe(0)
    expect(b.code, b.output).toBe(0)
    const saved = JSON.parse(readFileSync(history, 'utf8'))
    expect(saved.entries.map((e: { file: string }) => e.file).sort()).toEqual(['comment.test.ts', 'light.test.ts'])
    expect(saved.entries.every((e: { runs: unknown[] }) => e.runs.length === 1)).toBe(true)
    expect(existsSync(`${history}.lock`)).toBe(false)
  })

  test('a corrupt history costs one line and is set aside; the run goes on and starts a new one', async () => {
    const dir = tempDir('vm-h-')
    const history = join(dir, 'history.json')
    writeFileSync(history, '{"schemaVersion":1,"entries":[{"fi')
    const result = await runWithMarkers('cli', [
      'run',
      'light.test.ts',
      'heavy.test.ts',
      '--skip-memory-intensive',
      '--memory-budget',
      '1GB',
      '--memory-history',
      history,
    ])
    expect(result.code, result.output).toBe(0)
    expect(result.started).toEqual(['heavy', 'light'])
    const lines = result.output.split('\n').filter(line => line.includes('history'))
    expect(lines).toHaveLength(1)
    expect(lines[0]).toMatch(/history\.json is not valid JSON \(.*\); it was moved to .*history\.json\.corrupt-\d+ and a new one started\./)
    expect(readdirSync(dir).filter(f => f.startsWith('history.json.corrupt-'))).toHaveLength(1)
    const saved = JSON.parse(readFileSync(history, 'utf8'))
    expect(saved.entries.map((e: { file: string }) => e.file).sort()).toEqual(['heavy.test.ts', 'light.test.ts'])
  })
})
