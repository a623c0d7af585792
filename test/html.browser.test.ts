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
    page.on('console', (message) => { if (message.type() === 'error' || message.type() === 'warning') problems.push(`console ${message.type()}: ${message.text()}`) })
    page.on('pageerror', error => problems.push(`page error: ${error.message}`))
    page.on('dialog', (dialog) => { problems.push(`dialog: ${dialog.message()}`); void dialog.dismiss() })
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
    const column = async (key: string) => page.locator(`#files tbody td[data-key="${key}"]`).evaluateAll(cells => cells.map(c => (c as HTMLElement).dataset.sort!))
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
    const line = await page.locator('#rss-line').evaluate((path) => {
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
      for (const sort of layout.sorts) expect(sort).not.toMatch(/[\u0000\ufffd]/)
    } finally {
      await browser.close()
    }
  })
})
