// The outputs a person looks at, from a real run: HTML, Markdown, GitHub annotations and summary.
import { existsSync, mkdtempSync, readFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join, relative } from 'node:path'
import { beforeAll, describe, expect, test } from 'vitest'
import { fileEntry, fixture, MiB, ROOT, run, type RunResult } from './helpers.js'

const XSS = 'test/<img src=x onerror=alert(1)>.test.ts'

describe('reports of a real run (heavy, light, crashing and HTML-named files)', () => {
  const dir = mkdtempSync(join(tmpdir(), 'vm-outputs-'))
  const paths = { html: join(dir, 'page.html'), markdown: join(dir, 'summary.md'), step: join(dir, 'step-summary.md') }
  let result: RunResult

  beforeAll(async () => {
    result = await run('cli', 'reports', ['run', '--no-memory-history', '--memory-html', paths.html, '--memory-markdown', paths.markdown], {
      env: { GITHUB_ACTIONS: 'true', GITHUB_STEP_SUMMARY: paths.step, GITHUB_WORKSPACE: ROOT },
    })
  })

  test('the run fails (a file over budget, a file crashed) and says where each report went', () => {
    expect(result.code, result.output).toBe(1)
    expect(result.stdout).toContain(`HTML report: ${paths.html}`)
    expect(result.stdout).toContain(`Markdown report: ${paths.markdown}`)
  })

  test('every file has its start offset and worker slot; the run has a summed-RSS timeline', () => {
    for (const f of result.report!.files) {
      expect(f.startedAtMs, f.file).toBeGreaterThanOrEqual(0)
      expect(f.workerSlot, f.file).toBeGreaterThanOrEqual(0)
    }
    expect(fileEntry(result, 'test/crash.test.ts').state).toBe('crash')
    expect(fileEntry(result, 'test/crash.test.ts').durationMs).toBeGreaterThan(0)
    const timeline = result.report!.timeline!
    expect(timeline.length).toBeGreaterThan(2)
    expect(timeline.every((p, i) => i === 0 || p.t >= timeline[i - 1].t)).toBe(true)
    // While a file runs, its process (~60 MB of Node + Vitest) is on the curve.
    expect(Math.max(...timeline.map(p => p.rssBytes))).toBeGreaterThan(40 * MiB)
  })

  test('GitHub: an error annotation for the over-budget file and for the crashed one', () => {
    // Annotations name files from $GITHUB_WORKSPACE (ROOT): on Vitest 5 the fixture runs from a copy
    // under compat/vitest5/.fixtures/ (see helpers.ts), so the path is that copy's.
    const dir = relative(ROOT, fixture('reports')).split('\\').join('/')
    const heavy = fileEntry(result, 'test/heavy.test.ts')
    expect(result.stdout).toContain(`::error file=${dir}/test/heavy.test.ts,title=Memory budget exceeded::test/heavy.test.ts peaked at`)
    expect(heavy.overBudget).toBe(true)
    expect(result.stdout).toContain(`::error file=${dir}/test/crash.test.ts,title=Test file crashed::test/crash.test.ts crashed`)
    expect(result.stdout.match(/^::(error|warning) /gm)).toHaveLength(2)
  })

  test('GitHub: the Markdown summary lands in $GITHUB_STEP_SUMMARY, and --memory-markdown writes the same', () => {
    const step = readFileSync(paths.step, 'utf8')
    expect(step).toContain('## Memory per test file')
    expect(step).toContain('- **test/heavy.test.ts** peaked at')
    expect(step).toContain('- **test/crash.test.ts** crashed')
    expect(step).toContain('test/&lt;img src=x onerror=alert\\(1\\)&gt;.test.ts')
    // Vitest's own github-actions reporter writes its summary there too; ours is appended whole.
    expect(step).toContain(readFileSync(paths.markdown, 'utf8').trim())
  })

  test('the HTML page shows the HTML-named file as text', () => {
    const html = readFileSync(paths.html, 'utf8')
    expect(html).not.toMatch(/<img/i)
    expect(html).toContain('test/&lt;img src=x onerror=alert(1)&gt;.test.ts')
    expect(result.report!.files.map(f => f.file)).toContain(XSS)
  })

  test('`vitest-memory html report.json -o` renders the saved report into the same page', async () => {
    const out = join(dir, 'again.html')
    const rendered = await run('cli', 'reports', ['html', result.reportPath, '-o', out], { report: false })
    expect(rendered.code, rendered.output).toBe(0)
    expect(rendered.stdout).toContain(`HTML report: ${out}`)
    expect(readFileSync(out, 'utf8')).toBe(readFileSync(paths.html, 'utf8'))
  })

  test('`vitest-memory html` on a missing or foreign file exits 2 with one line', async () => {
    const missing = await run('cli', 'reports', ['html', join(dir, 'nope.json')], { report: false })
    expect(missing.code).toBe(2)
    expect(missing.stderr.trim()).toBe(
      `vitest-memory: Cannot read the report ${join(dir, 'nope.json')}: no such file. Pass a report.json written by vitest-memory.`,
    )
    const foreign = await run('cli', 'reports', ['html', join(ROOT, 'package.json')], { report: false })
    expect(foreign.code).toBe(2)
    expect(foreign.stderr).toContain('not a vitest-memory report')
    expect(existsSync(join(ROOT, 'package.html'))).toBe(false)
  })
})
