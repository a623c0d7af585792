import { appendFileSync, mkdtempSync, readFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { describe, expect, test } from 'vitest'
import { splitArgs } from '../src/cli/args.js'
import { RunTimeline } from '../src/measure/run-timeline.js'
import { annotations, writeGitHubOutput } from '../src/report/github.js'
import { renderHtml } from '../src/report/html.js'
import { breakable, LONGEST_UNBROKEN } from '../src/report/html-wrap.js'
import { escapeMarkdown, renderMarkdown } from '../src/report/markdown.js'
import { file, MB, report } from './report-model.js'

const XSS = 'test/<img src=x onerror=alert(1)>.test.ts'

const sample = report(
  [
    file('test/heavy.test.ts', 400, { budgetBytes: 256 * MB, budgetSource: 'global', overBudget: true, startedAtMs: 0, workerSlot: 0 }),
    file(XSS, 70, { startedAtMs: 50, workerSlot: 1 }),
    file('test/crash.test.ts', null, { state: 'crash', startedAtMs: 120, workerSlot: 1, durationMs: 30 }),
  ],
  {
    budgetBytes: 256 * MB,
    timeline: [
      { t: 0, rssBytes: 60 * MB },
      { t: 50, rssBytes: 460 * MB },
      { t: 200, rssBytes: 0 },
    ],
  },
)

describe('HTML report', () => {
  const html = renderHtml(sample)

  test('escapes every name: the markup never contains the injected element', () => {
    expect(html).not.toMatch(/<img/i)
    expect(html).toContain('test/&lt;img src=x onerror=alert(1)&gt;.test.ts')
  })

  test('is self-contained: no external URL, a CSP that forbids the network', () => {
    expect(html).not.toMatch(/(src|href)=["']?(https?:)?\/\//i)
    expect(html).toContain("default-src 'none'")
  })

  test('draws the summed RSS, the budget line and one lane per slot; the crash stands out', () => {
    expect(html).toContain('id="rss-line"')
    expect(html).toContain('budget per file 256 MB')
    expect(html).toContain('slot 1')
    expect(html).toContain('slot 2')
    expect(html).toMatch(/class="span trouble died" data-file="test\/crash\.test\.ts"/)
    // A name is pieces kept whole, with a break opportunity after each "/" and "_" (html-wrap.ts).
    expect(html).toMatch(
      /<tr class="trouble"><td data-key="file" data-sort="[^"]*" class="name"><span class="seg">test\/<\/span><wbr><span class="seg">crash\.test\.ts<\/span><\/td><td data-key="state" data-sort="crash" class="state-crash">crashed/,
    )
  })

  test('a merged report without a timeline says so instead of drawing an empty chart', () => {
    const merged = renderHtml({ ...sample, timeline: undefined })
    expect(merged).toContain('id="chart-missing"')
    expect(merged).not.toContain('id="rss-line"')
  })
})

describe('Markdown report', () => {
  test('names over-budget and crashed files and the totals; names are escaped', () => {
    const md = renderMarkdown(sample)
    expect(md).toContain('❌ 1 file over budget')
    expect(md).toContain('### Over budget\n\n- **test/heavy.test.ts** peaked at 400 MB (budget 256 MB, global)')
    expect(md).toContain('### Crashed or killed\n\n- **test/crash.test.ts** crashed')
    expect(md).toContain('test/&lt;img src=x onerror=alert\\(1\\)&gt;.test.ts')
    expect(md).not.toContain('<img')
    expect(md).toMatch(/\*\*Totals:\*\* 3 files · heaviest test\/heavy\.test\.ts 400 MB · run peak 460 MB \(summed RSS of the files running at once, sampled\)/)
  })

  test("the run peak is never below the heaviest file's exact peak (the sum is only sampled)", () => {
    const sampledLow = { ...sample, timeline: (sample.timeline ?? []).map(p => ({ ...p, rssBytes: Math.min(p.rssBytes, 300e6) })) }
    expect(renderMarkdown(sampledLow)).toContain("run peak 400 MB (its heaviest file's exact peak; the sampled sum was lower)")
  })

  test('escapes table and emphasis characters', () => {
    expect(escapeMarkdown('a|b*c_d')).toBe('a\\|b\\*c\\_d')
  })
})

describe('GitHub Actions output', () => {
  const env = { GITHUB_WORKSPACE: '/repo' }

  test('annotates over-budget and crashed files with paths relative to the repository', () => {
    const lines = annotations(sample, '/repo/packages/app', undefined, env)
    expect(lines).toEqual([
      '::error file=packages/app/test/heavy.test.ts,title=Memory budget exceeded::test/heavy.test.ts peaked at 400 MB (budget 256 MB, global).',
      '::error file=packages/app/test/crash.test.ts,title=Test file crashed::test/crash.test.ts crashed: its process died before the file finished.',
    ])
  })

  test('warn mode turns budget annotations into warnings; crashes stay errors', () => {
    const lines = annotations({ ...sample, budgetMode: 'warn' }, '/repo', undefined, env)
    expect(lines[0]).toMatch(/^::warning file=test\/heavy\.test\.ts,title=Memory budget exceeded::/)
    expect(lines[1]).toMatch(/^::error file=test\/crash\.test\.ts,/)
  })

  test('escapes properties and data as workflow commands require', () => {
    const odd = report([file('t/a,b:c%.test.ts', 10, { state: 'crash' })])
    expect(annotations(odd, '/repo', undefined, env)[0]).toBe(
      '::error file=t/a%2Cb%3Ac%25.test.ts,title=Test file crashed::t/a,b:c%25.test.ts crashed: its process died before the file finished (peak 10.0 MB).',
    )
  })

  test('appends the Markdown summary to $GITHUB_STEP_SUMMARY', () => {
    const summary = join(mkdtempSync(join(tmpdir(), 'vm-summary-')), 'summary.md')
    appendFileSync(summary, 'earlier step\n')
    const printed: string[] = []
    writeGitHubOutput(sample, '/repo', line => printed.push(line), 10, undefined, { ...env, GITHUB_STEP_SUMMARY: summary })
    expect(printed).toHaveLength(2)
    const text = readFileSync(summary, 'utf8')
    expect(text.startsWith('earlier step\n## Memory per test file')).toBe(true)
  })
})

describe('RunTimeline', () => {
  test('gives each running file the lowest free slot and sums their RSS', () => {
    const t = new RunTimeline()
    const a = {},
      b = {},
      c = {}
    expect(t.begin(a, '', '/a', 1000).slot).toBe(0)
    expect(t.begin(b, '', '/b', 1010).slot).toBe(1)
    t.update(a, 100, 1050)
    t.update(b, 50, 1100)
    t.end(a, 1200)
    expect(t.begin(c, '', '/c', 1300).slot).toBe(0)
    t.update(c, 70, 1400)
    expect(t.timeline()).toEqual([
      { t: 50, rssBytes: 100 },
      { t: 100, rssBytes: 150 },
      { t: 200, rssBytes: 50 },
      { t: 400, rssBytes: 120 },
    ])
    expect(t.findSpan('', '/a')).toMatchObject({ slot: 0, startedAt: 1000, endedAt: 1200 })
  })

  test("downsamples a long run keeping each bucket's highest point", () => {
    const t = new RunTimeline()
    const w = {}
    t.begin(w, '', '/a', 0)
    for (let i = 1; i <= 1000; i++) t.update(w, i === 500 ? 10_000 : i, i * 100)
    const points = t.timeline(100)
    expect(points.length).toBeLessThanOrEqual(100)
    expect(Math.max(...points.map(p => p.rssBytes))).toBe(10_000)
  })

  test('ignores samples of a worker that runs no file, and end() twice is harmless', () => {
    const t = new RunTimeline()
    const w = {}
    t.update(w, 100, 10)
    t.begin(w, '', '/a', 20)
    t.end(w, 30)
    t.end(w, 40)
    expect(t.timeline()).toEqual([{ t: 10, rssBytes: 0 }])
  })
})

describe('--memory-html takes an optional PATH', () => {
  test.each([
    [['--memory-html'], true, []],
    [['--memory-html', 'run'], true, ['run']],
    [['--memory-html', 'out/r.html', 'run'], 'out/r.html', ['run']],
    [['--memory-html=custom/page'], 'custom/page', []],
  ])('%j', (argv, html, rest) => {
    const { options, vitestArgs } = splitArgs(argv as string[])
    expect(options.html).toBe(html)
    expect(vitestArgs).toEqual(rest)
  })
})

describe('HTML report columns from tags and per-test peaks', () => {
  test("a file's tags and its heaviest test (the one that added most) are shown when the report has them", () => {
    const test = (name: string, addedMB: number) => ({
      name,
      fullName: `catalog > ${name}`,
      state: 'pass',
      peakRssBytes: (60 + addedMB) * MB,
      startRssBytes: 60 * MB,
      addedRssBytes: addedMB * MB,
      heapDeltaBytes: 0,
      heapAfterGcBytes: null,
      durationMs: 5,
      overlapping: false,
      budgetBytes: null,
      overBudget: false,
    })
    const html = renderHtml(
      report([
        file('test/catalog.test.ts', 370, { tags: ['memory_intensive'], tests: [test('parses', 2), test('imports everything', 309)] } as never),
        file('test/light.test.ts', 61),
      ]),
    )
    expect(html).toContain('<button type="button">Tags</button>')
    const shown = html.replace(/<wbr>|<\/?span[^>]*>/g, '')
    expect(shown).toContain('>memory_intensive</td>')
    // A figure keeps its unit on its line.
    expect(shown).toContain('>catalog &gt; imports everything (+309\u00a0MB)</td>')
  })

  test('without them, the columns are left out', () => {
    const html = renderHtml(report([file('test/light.test.ts', 61)]))
    expect(html).not.toContain('Heaviest test')
    expect(html).not.toContain('>Tags<')
  })
})

describe('breakable: where a name may wrap in the HTML report', () => {
  test('after "/" and "_" and at spaces; a hyphen or a dot is no break; every piece escaped', () => {
    expect(breakable('test/big-buffer.test.ts')).toBe('<span class="seg">test/</span><wbr><span class="seg">big-buffer.test.ts</span>')
    expect(breakable('memory_intensive, <b>')).toBe(
      '<span class="seg">memory_</span><wbr><span class="seg">intensive,</span> <span class="seg">&lt;b&gt;</span>',
    )
    expect(breakable('76% of 400 MB')).toBe('<span class="seg">76%</span> <span class="seg">of</span> <span class="seg">400\u00a0MB</span>')
  })

  test(`a piece longer than ${LONGEST_UNBROKEN} characters may break anywhere rather than widen the page`, () => {
    const hash = 'a'.repeat(LONGEST_UNBROKEN + 1)
    expect(breakable(`snapshots/${hash}.snap`)).toBe(`<span class="seg">snapshots/</span><wbr><span class="seg long">${hash}.snap</span>`)
  })
})
