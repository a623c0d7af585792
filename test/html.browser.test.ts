// The HTML report in a real headless Chromium: it loads offline with no console error, the table
// sorts on click, the charts draw, and a file named like an HTML element renders as text.
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { pathToFileURL } from 'node:url'
import type { Browser, Page } from 'playwright-core'
import { afterAll, beforeAll, describe, expect, test } from 'vitest'
import { launchChromium } from './chromium.js'
import { run, type RunResult } from './helpers.js'
import type { MemoryReport } from '../src/record/report.js'

const XSS = 'test/<img src=x onerror=alert(1)>.test.ts'

describe('HTML report in Chromium', () => {
  const htmlPath = join(mkdtempSync(join(tmpdir(), 'vm-browser-')), 'report.html')
  let result: RunResult
  let browser: Browser
  let page: Page
  const problems: string[] = []
  const requests: string[] = []

  beforeAll(async () => {
    result = await run('cli', 'reports', ['run', '--no-memory-history', `--memory-html=${htmlPath}`])
    expect(result.report, result.output).not.toBeNull()
    browser = await launchChromium()
    page = await browser.newPage({ viewport: { width: 1200, height: 900 } })
    page.on('console', message => {
      if (message.type() === 'error' || message.type() === 'warning') problems.push(`console ${message.type()}: ${message.text()}`)
    })
    page.on('pageerror', error => problems.push(`page error: ${error.message}`))
    page.on('dialog', dialog => {
      problems.push(`dialog: ${dialog.message()}`)
      void dialog.dismiss()
    })
    page.on('request', request => requests.push(request.url()))
    await page.goto(pathToFileURL(htmlPath).href, { waitUntil: 'load' })
  })

  afterAll(async () => {
    await browser?.close()
  })

  test('loads with no console error and fetches nothing but itself', () => {
    expect(problems).toEqual([])
    expect(requests).toEqual([pathToFileURL(htmlPath).href])
  })

  test('a file named <img src=x onerror=alert(1)> is text: no img element, no alert', async () => {
    expect(await page.locator('img').count()).toBe(0)
    const names = await page.locator('#files tbody td[data-key="file"]').allTextContents()
    expect(names).toContain(XSS)
    expect(await page.locator(`#timeline g[data-file="${XSS}"]`).count()).toBe(1)
  })

  test('the table sorts on click: duration descending, then ascending', async () => {
    const column = async (key: string) =>
      page.locator(`#files tbody td[data-key="${key}"]`).evaluateAll(cells => cells.map(c => (c as HTMLElement).dataset.sort!))
    const header = page.locator('#files th[data-key="duration"] button')
    await header.click()
    const descending = (await column('duration')).map(Number)
    expect(descending).toEqual([...descending].sort((a, b) => b - a))
    expect(await page.locator('#files th[data-key="duration"]').getAttribute('aria-sort')).toBe('descending')
    await header.click()
    const ascending = (await column('duration')).map(Number)
    expect(ascending).toEqual([...descending].reverse())
    await page.locator('#files th[data-key="file"] button').click()
    const names = await column('file')
    expect(names).toEqual([...names].sort((a, b) => a.localeCompare(b)))
    expect(new Set(names).size).toBe(result.report!.files.length)
  })

  test('the summed-RSS chart and the timeline draw', async () => {
    const line = await page.locator('#rss-line').evaluate(path => {
      const box = (path as SVGPathElement).getBoundingClientRect()
      return { length: (path as SVGPathElement).getTotalLength(), width: box.width, height: box.height }
    })
    expect(line.length).toBeGreaterThan(500)
    expect(line.width).toBeGreaterThan(600)
    expect(line.height).toBeGreaterThan(50)
    const bars = await page.locator('#timeline g.span rect').evaluateAll(rects => rects.map(r => r.getBoundingClientRect().width))
    expect(bars).toHaveLength(result.report!.files.length)
    for (const width of bars) expect(width).toBeGreaterThan(0)
  })

  test('the over-budget and the crashed file stand out', async () => {
    const trouble = await page.locator('#files tbody tr.trouble td[data-key="file"]').allTextContents()
    expect(trouble.sort()).toEqual(['test/crash.test.ts', 'test/heavy.test.ts'])
    expect(await page.locator('#timeline g.died').count()).toBe(1)
    expect(await page.locator('#files tbody tr.trouble td.state-crash').textContent()).toBe('crashed')
  })
})

/** Line breaks inside the elements: each as "before|after", and those not after a "/", a "_" or a space. */
async function lineBreaks(page: Page, selector: string): Promise<{ breaks: string[]; inWord: string[]; lines: number[] }> {
  return page.evaluate(selector => {
    const breaks: string[] = []
    const inWord: string[] = []
    const lines: number[] = []
    for (const element of document.querySelectorAll(selector)) {
      const walker = document.createTreeWalker(element, NodeFilter.SHOW_TEXT)
      let text = ''
      let previousTop: number | null = null
      let spaceSince = false
      let count = 1
      for (let node = walker.nextNode(); node; node = walker.nextNode()) {
        const value = node.nodeValue ?? ''
        for (let i = 0; i < value.length; i++) {
          const char = value[i]
          if (/\s/.test(char) && char !== '\u00a0') {
            spaceSince = true
            text += char
            continue
          }
          const range = document.createRange()
          range.setStart(node, i)
          range.setEnd(node, i + 1)
          const box = range.getClientRects()[0]
          if (box && previousTop !== null && box.top > previousTop + box.height / 2) {
            count++
            const shown = `${text}|${value.slice(i)}`
            breaks.push(shown)
            if (!spaceSince && !/[/_]$/.test(text)) inWord.push(shown)
          }
          if (box) previousTop = box.top
          spaceSince = false
          text += char
        }
      }
      lines.push(count)
    }
    return { breaks, inWord, lines }
  }, selector)
}

describe('HTML report at 1000 px: where names wrap, and every bar that has room carries its name', () => {
  const LONG = 'packages/some-long-package-name/src/__tests__/deeply/nested_folder/render-thumbnails.test.ts'
  let browser: Browser
  let page: Page

  beforeAll(async () => {
    const dir = mkdtempSync(join(tmpdir(), 'vm-browser-wrap-'))
    const result = await run('cli', 'reports', ['run', 'light', 'heavy', '--no-memory-history', '--memory-budget-warn'])
    expect(result.report, result.output).not.toBeNull()
    const report = JSON.parse(JSON.stringify(result.report)) as MemoryReport
    const template = report.files[0]
    const at = (file: string, startedAtMs: number, durationMs: number, extra: Partial<MemoryReport['files'][number]> = {}) => ({
      ...template,
      file,
      startedAtMs,
      durationMs,
      workerSlot: 0,
      ...extra,
    })
    // A wide bar, a narrow one with room beside it, a row of small ones: the timeline runs 1 s.
    report.files = [
      at('test/big-buffer.test.ts', 0, 500, { tags: ['memory_intensive'] }),
      at(LONG, 520, 20),
      at('test/memory_intensive/huge_catalog-import.test.ts', 800, 150, { tags: ['memory_intensive', 'slow_io'] }),
      ...Array.from({ length: 8 }, (_, i) => at(`test/small/unit-${i}_helpers.test.ts`, 40 * i, 25, { workerSlot: 1 })),
    ]
    report.run.durationMs = 1000
    report.timeline = [
      { t: 0, rssBytes: 60e6 },
      { t: 1000, rssBytes: 60e6 },
    ]
    const jsonPath = join(dir, 'report.json')
    writeFileSync(jsonPath, JSON.stringify(report))
    const rendered = await run('cli', 'reports', ['html', jsonPath], { report: false })
    expect(rendered.code, rendered.output).toBe(0)
    browser = await launchChromium()
    page = await browser.newPage({ viewport: { width: 1000, height: 900 } })
    await page.goto(pathToFileURL(join(dir, 'report.html')).href, { waitUntil: 'load' })
    // For a person to look at: the page as rendered.
    await page.screenshot({ path: join(dir, 'report.png'), fullPage: true })
  })

  afterAll(async () => {
    await browser?.close()
  })

  test('names break only after "/" or "_" (or at a space), never inside a word', async () => {
    const names = await lineBreaks(page, '#files td.name, #files td[data-key="tags"], #files td[data-key="test"], #files td[data-key="budget"], .card .value')
    expect(names.inWord).toEqual([])
    // The long path does wrap (the check above is not vacuous), at its slashes.
    const long = await lineBreaks(page, `#files tr:has(td[data-sort="${LONG}"]) td.name`)
    expect(long.lines[0]).toBeGreaterThan(1)
    for (const line of long.breaks) expect(line).toMatch(/[/_]\|/)
    // With room in the column, a short name stays on one line: no "test/big-" above "buffer.test.ts".
    const short = await lineBreaks(page, '#files tr:has(td[data-sort="test/big-buffer.test.ts"]) td.name')
    expect(short.lines).toEqual([1])
    expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(1000)
  })

  test("a bar's label sits inside it or beside it, overlaps no other bar or label, and says the name or its start", async () => {
    const bars = await page.locator('#timeline g.span').evaluateAll(groups =>
      groups.map(g => {
        const box = (el: Element | null) => {
          if (!el) return null
          const r = el.getBoundingClientRect()
          return { left: r.left, right: r.right, top: r.top, bottom: r.bottom }
        }
        return {
          file: (g as SVGGElement).dataset.file!,
          bar: box(g.querySelector('rect'))!,
          label: box(g.querySelector('text')),
          text: g.querySelector('text')?.textContent ?? null,
        }
      }),
    )
    const overlap = (a: { left: number; right: number; top: number; bottom: number }, b: typeof a) =>
      a.left < b.right && b.left < a.right && a.top < b.bottom && b.top < a.bottom
    for (const bar of bars) {
      if (!bar.label) continue
      const name = bar.file.split('/').pop()!
      expect(bar.text === name || (bar.text!.endsWith('…') && name.startsWith(bar.text!.slice(0, -1))), `${bar.text} for ${name}`).toBe(true)
      const inside = bar.label.left >= bar.bar.left && bar.label.right <= bar.bar.right
      expect(inside || bar.label.left >= bar.bar.right, `${bar.text} is inside or right of its bar`).toBe(true)
      for (const other of bars) {
        if (other === bar) continue
        expect(overlap(bar.label, other.bar), `${bar.text} over the bar of ${other.file}`).toBe(false)
        if (other.label) expect(overlap(bar.label, other.label), `${bar.text} over ${other.text}`).toBe(false)
      }
    }
    const label = (file: string) => bars.find(b => b.file === file)!
    expect(label('test/big-buffer.test.ts').text).toBe('big-buffer.test.ts')
    // Too narrow for its name, with room after it: the name beside the bar.
    expect(label(LONG).text).toBe('render-thumbnails.test.ts')
    expect(label(LONG).label!.left).toBeGreaterThanOrEqual(label(LONG).bar.right)
    // The last of the small bars has the lane's end beside it; the others keep their tooltip.
    expect(label('test/small/unit-7_helpers.test.ts').text).toBe('unit-7_helpers.test.ts')
    expect(await page.locator('#timeline g.span rect title').count()).toBe(bars.length)
  })
})

describe('HTML report at 1100 px with a long unbreakable test name', () => {
  test('the File column keeps its width, the page does not scroll sideways, and no attribute carries a NUL', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'vm-browser-long-'))
    const result = await run('cli', 'reports', ['run', 'light', 'heavy', '--no-memory-history', '--memory-budget-warn'])
    expect(result.report, result.output).not.toBeNull()
    const report = JSON.parse(JSON.stringify(result.report)) as MemoryReport
    const heavy = report.files.find(f => f.file === 'test/heavy.test.ts')!
    expect(heavy.tests.length, result.output).toBeGreaterThan(0)
    const long = `handles_${'a_very_long_identifier_without_any_space'.repeat(8)}`
    for (const t of heavy.tests) Object.assign(t, { name: long, fullName: long })
    const jsonPath = join(dir, 'report.json')
    writeFileSync(jsonPath, JSON.stringify(report))
    const rendered = await run('cli', 'reports', ['html', jsonPath], { report: false })
    expect(rendered.code, rendered.output).toBe(0)
    const htmlPath = join(dir, 'report.html')
    expect(readFileSync(htmlPath, 'utf8')).not.toContain('\u0000')

    const browser = await launchChromium()
    try {
      const page = await browser.newPage({ viewport: { width: 1100, height: 900 } })
      await page.goto(pathToFileURL(htmlPath).href, { waitUntil: 'load' })
      const layout = await page.evaluate(() => ({
        scrollWidth: document.documentElement.scrollWidth,
        fileWidths: [...document.querySelectorAll('#files td[data-key="file"]')].map(td => td.getBoundingClientRect().width),
        sorts: [...document.querySelectorAll('[data-sort]')].map(el => el.getAttribute('data-sort')!),
      }))
      expect(layout.scrollWidth).toBeLessThanOrEqual(1100)
      // "test/heavy.test.ts" in 12.5 px monospace needs about 140 px on one line.
      for (const width of layout.fileWidths) expect(width).toBeGreaterThan(160)
      // biome-ignore lint/suspicious/noControlCharactersInRegex: a NUL in a sort key is the defect looked for
      for (const sort of layout.sorts) expect(sort).not.toMatch(/[\u0000\ufffd]/)
    } finally {
      await browser.close()
    }
  })
})
