// --heap-profile=peak: which lines held the memory at each file's peak — for a file that freed
// everything before it exited, for a file killed by the hard limit, for a file dying of "heap out
// of memory", and for the file in flight when the runner itself was SIGKILLed.
import { spawn } from 'node:child_process'
import { existsSync, mkdtempSync, readdirSync, readFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { beforeAll, describe, expect, test } from 'vitest'
import { cleanEnv, CLI, fileEntry, fixture, run, TARGET, type RunResult } from './helpers.js'

/** The 1-based line of the first line of `file` (in a fixture) that contains `text`. */
function lineOf(fixtureName: string, file: string, text: string): number {
  return (
    readFileSync(join(fixture(fixtureName), file), 'utf8')
      .split('\n')
      .findIndex(l => l.includes(text)) + 1
  )
}

describe('a file that builds 400 MB of objects in buildIndex, frees them, then exits', () => {
  let peak: RunResult
  let exit: RunResult
  let plain: RunResult

  beforeAll(async () => {
    peak = await run('cli', 'peak-free', ['run', '--heap-profile=peak', '--no-memory-history'], { timeoutMs: 120_000 })
    exit = await run('cli', 'peak-free', ['run', '--heap-profile=all', '--no-memory-history'], { timeoutMs: 120_000 })
    plain = await run('cli', 'peak-free', ['run', 'index.test.ts', '--no-memory-history'], { timeoutMs: 120_000 })
  })

  test('the peak profile names buildIndex, at its TypeScript line, with at least 80% of the sampled bytes', () => {
    expect(peak.code, peak.output).toBe(0)
    const profile = fileEntry(peak, 'index.test.ts').profile!
    expect(profile).toMatchObject({ pass: 'peak', path: '.vitest-memory/profiles/index.test.ts.heapprofile' })
    expect(profile.sites[0]).toMatchObject({
      functionName: 'buildIndex',
      file: 'index.test.ts',
      line: lineOf('peak-free', 'index.test.ts', 'function buildIndex'),
    })
    expect(profile.sites[0].share).toBeGreaterThanOrEqual(0.8)
    // taken while the index was alive: most of the 400 MB sampled, the RSS well above a bare process
    expect(profile.sites[0].bytes).toBeGreaterThan(150e6)
    expect(profile.capturedAtRssBytes!).toBeGreaterThan(250e6)
    expect(profile.sampledBytes!).toBeGreaterThanOrEqual(profile.sites[0].bytes)
    // a site's bytes are the sampling profiler's estimate (within a few %), heapUsed is exact
    expect(profile.memory!.heapUsedBytes!).toBeGreaterThan(profile.sites[0].bytes * 0.9)
    expect(existsSync(join(fixture('peak-free'), profile.path))).toBe(true)
    expect(peak.stdout).toMatch(
      /index\.test\.ts live at the peak \([\d.]+ [kMG]?B of [\d.]+ [kMG]?B RSS\)[^\n]*\n\s+\d+ MB\s+(9\d|8\d|100)%\s+buildIndex\s+index\.test\.ts:\d+/,
    )
  })

  test("today's exit profile (--heap-profile=all) does not: the index was gone when the process exited", () => {
    expect(exit.code, exit.output).toBe(0)
    const profile = fileEntry(exit, 'index.test.ts').profile!
    expect(profile.pass).toBe('main')
    expect(profile.error, JSON.stringify(profile)).toBeUndefined()
    expect(profile.sites.length, JSON.stringify(profile)).toBeGreaterThan(0)
    const buildIndex = profile.sites.find(s => s.functionName === 'buildIndex')
    expect(buildIndex?.share ?? 0).toBeLessThan(0.1)
    expect(buildIndex?.bytes ?? 0).toBeLessThan(10e6)
  })

  test('a peak made of Buffers is named as memory outside the V8 heap', () => {
    const profile = fileEntry(peak, 'buffers.test.ts').profile!
    expect(profile.memory!.arrayBuffersBytes!).toBeGreaterThan(200e6)
    expect(profile.sampledBytes!).toBeLessThan(100e6)
    expect(peak.stdout).toMatch(/buffers\.test\.ts live at the peak[^\n]*\n\s+[23]\d\d MB in ArrayBuffers\/Buffers, outside the V8 heap/)
  })

  test("off by default: no profile, no profiler thread's files", () => {
    expect(plain.code, plain.output).toBe(0)
    expect(fileEntry(plain, 'index.test.ts').profile).toBeNull()
    expect(plain.stdout).not.toContain('HEAP PROFILE')
  })
})

describe('a file killed by --memory-limit 500MB while growing in fillCache', () => {
  let result: RunResult
  let journal: string
  let summary: string

  beforeAll(async () => {
    const dir = mkdtempSync(join(tmpdir(), 'vm-peak-killed-'))
    journal = join(dir, 'journal.jsonl')
    summary = join(dir, 'summary.md')
    result = await run(
      'cli',
      'peak-killed',
      ['run', '--heap-profile=peak', '--memory-limit', '500MB', '--memory-journal', journal, '--no-memory-history', '--memory-html', join(dir, 'report.html')],
      {
        timeoutMs: 120_000,
        env: { GITHUB_ACTIONS: 'true', GITHUB_STEP_SUMMARY: summary, GITHUB_WORKSPACE: fixture('peak-killed') },
      },
    )
  })

  test('the killed file carries its allocation sites: fillCache at its TypeScript line', () => {
    expect(result.code, result.output).toBe(1)
    const line = lineOf('peak-killed', 'cache.test.ts', 'function fillCache')
    const file = fileEntry(result, 'cache.test.ts')
    expect(file).toMatchObject({ state: 'killed', crash: { cause: 'memory-limit' } })
    expect(file.profile!.sites[0]).toMatchObject({ functionName: 'fillCache', file: 'cache.test.ts', line })
    expect(file.profile!.sites[0].share).toBeGreaterThan(0.8)
    // the capture asked for before the kill: close to the limit, not an early one
    expect(file.profile!.capturedAtRssBytes!).toBeGreaterThan(400e6)
    // asking first still stops the file near its limit
    expect(file.treePeakRssBytes!).toBeLessThanOrEqual(500e6 * 1.1)
    expect(result.output).toMatch(
      new RegExp(
        `MemoryLimitExceeded: killed by vitest-memory[^]*allocation sites live at the peak \\(\\d+ MB of \\d+ MB RSS\\): fillCache \\(cache\\.test\\.ts:${line}\\) \\d+ MB, (?:9\\d|100)%`,
      ),
    )
    expect(result.stdout).toMatch(
      new RegExp(`cache\\.test\\.ts live at the peak[^\\n]*\\n\\s+\\d+ MB\\s+(?:9\\d|100)%\\s+fillCache\\s+cache\\.test\\.ts:${line}`),
    )
    expect(fileEntry(result, 'small.test.ts')).toMatchObject({ state: 'pass', profile: null })
  })

  test('`why` on the journal names fillCache with its line', async () => {
    const line = lineOf('peak-killed', 'cache.test.ts', 'function fillCache')
    const why = await run('cli', 'peak-killed', ['why', journal], { report: false })
    expect(why.code, why.output).toBe(0)
    expect(why.stdout).toMatch(
      new RegExp(
        `cache\\.test\\.ts \\(killed, SIGKILL, [^)]+\\)\\n\\s+which lines held the memory, live at the peak \\(\\d+ MB of \\d+ MB RSS\\):\\n\\s+\\d+ MB\\s+(?:9\\d|100)%\\s+fillCache\\s+cache\\.test\\.ts:${line}`,
      ),
    )
  })

  test('the step summary lists its top sites; the HTML has a sites table linked to the .heapprofile', () => {
    const markdown = readFileSync(summary, 'utf8')
    expect(markdown).toMatch(
      /- \*\*cache\.test\.ts\*\* was killed at \d+ MB\n {2}- allocation sites live at the peak[^\n]*\n {4}- `fillCache` cache\.test\.ts:\d+: \d+ MB \((?:9\d|100)%\)/,
    )
    const html = readFileSync(join(journal, '../report.html'), 'utf8')
    expect(html).toContain('<h2>Heap profiles: which lines held the memory</h2>')
    // Names are pieces kept whole (html-wrap.ts): compare the text without them.
    expect(html.replace(/<wbr>|<\/?span[^>]*>/g, '')).toMatch(/<td>fillCache<\/td><td class="name">cache\.test\.ts:\d+<\/td>/)
    const href = html.match(/<a href="([^"]+)">\.vitest-memory\/profiles\/cache\.test\.ts\.heapprofile<\/a>/)?.[1]
    expect(href).toBeDefined()
    expect(existsSync(join(journal, '..', href!))).toBe(true)
  })
})

test('a file dying of "JavaScript heap out of memory": the crash explanation lists the sites', async () => {
  const result = await run('cli', 'peak-oom', ['run', '--heap-profile=peak', '--no-memory-history'], { timeoutMs: 120_000 })
  expect(result.code, result.output).toBe(1)
  const file = fileEntry(result, 'heap.test.ts')
  expect(file).toMatchObject({ state: 'crash', crash: { cause: 'v8-heap' } })
  expect(file.profile!.sites[0]).toMatchObject({
    functionName: 'retainRows',
    file: 'heap.test.ts',
    line: lineOf('peak-oom', 'heap.test.ts', 'function retainRows'),
  })
  // Every capture is on disk as soon as it is taken; the last one before the heap ran out is the
  // profile (how near the death it was is asserted on the small heap below).
  expect(file.profile!.memory!.heapUsedBytes!).toBeGreaterThan(0)
  expect(result.output).toMatch(
    /TestFileCrashed: [\s\S]*heap out of memory[\s\S]*allocation sites live at the peak \([\d.]+ [kMG]?B of [\d.]+ [kMG]?B RSS\): retainRows \(heap\.test\.ts:\d+\)/,
  )
})

test('a heap out of memory within a second or two of the first capture: the profile is one taken near the death', async () => {
  const result = await run('cli', 'peak-oom-fast', ['run', '--heap-profile=peak', '--no-memory-history'], { timeoutMs: 120_000 })
  expect(result.code, result.output).toBe(1)
  const file = fileEntry(result, 'heap.test.ts')
  expect(file).toMatchObject({ state: 'crash', crash: { cause: 'v8-heap' } })
  expect(file.profile!.sites[0]).toMatchObject({ functionName: 'retainRows', line: lineOf('peak-oom-fast', 'heap.test.ts', 'function retainRows') })
  // The old generation (--max-old-space-size=100) is captured at 80% of it and the capture flushed at
  // once: heapUsed 86-102 MB under two burners and six parallel runs on one core. Kept back by a 2 s
  // flush timer, the first capture (18-30 MB) or a middle one (57-68 MB) was often all on disk.
  const oldGenerationBytes = 100 * 1024 * 1024
  expect(file.profile!.memory!.heapUsedBytes!).toBeGreaterThan(oldGenerationBytes * 0.6)
})

test('the runner SIGKILLed while a file grows: `why` on the journal names the growing function', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'vm-peak-sigkill-'))
  const journal = join(dir, 'journal.jsonl')
  const runner = spawn(TARGET.node, [CLI, 'run', '--heap-profile=peak', '--no-memory-history', '--memory-journal', journal], {
    cwd: fixture('peak-sigkill'),
    env: cleanEnv(),
  })
  let output = ''
  runner.stdout.on('data', chunk => {
    output += chunk
  })
  runner.stderr.on('data', chunk => {
    output += chunk
  })
  const exited = new Promise(done => runner.on('close', done))
  const startedAt = () =>
    existsSync(journal)
      ? (readFileSync(journal, 'utf8')
          .split('\n')
          .filter(Boolean)
          .map(l => JSON.parse(l))
          .find(e => e.t === 'file-start')?.at as number | undefined)
      : undefined
  const deadline = Date.now() + 60_000
  while (!startedAt()) {
    if (Date.now() > deadline) throw new Error(`slow.test.ts never started:\n${output}`)
    await new Promise(done => setTimeout(done, 100))
  }
  // grows for 5 s, then the runner is killed without warning, as the OOM killer would
  await new Promise(done => setTimeout(done, Math.max(0, startedAt()! + 5000 - Date.now())))
  runner.kill('SIGKILL')
  await exited

  const why = await run('cli', 'peak-sigkill', ['why', journal], { report: false })
  expect(why.code, why.output).toBe(0)
  const line = lineOf('peak-sigkill', 'slow.test.ts', 'function growSlowly')
  expect(why.stdout).toContain('The runner died while slow.test.ts was running')
  expect(why.stdout).toMatch(
    new RegExp(
      `slow\\.test\\.ts: pid \\d+, running for [\\d.]+ s[^\\n]*\\n\\s+which lines were allocating: the sites live at its highest so far \\(\\d+ MB of \\d+ MB RSS\\):\\n\\s+\\d+ MB\\s+\\d+%\\s+growSlowly\\s+slow\\.test\\.ts:${line}`,
    ),
  )
  // the process's own flush stays next to the journal, for Chrome DevTools
  expect(readdirSync(join(dir, 'profiles/inflight')).some(f => f.endsWith('.heapprofile'))).toBe(true)
})
