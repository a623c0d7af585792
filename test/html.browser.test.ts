// The HTML report in a real headless Chromium: it loads offline with no console error, the table
// sorts on click, the charts draw, and a file named like an HTML element renders as text.
import { mkdtempSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { pathToFileURL } from 'node:url'
import type { Browser, Page } from 'playwright-core'
import { afterAll, beforeAll, describe, expect, test } from 'vitest'
import { launchChromium } from './chromium.js'
import { run, type RunResult } from './helpers.js'

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
