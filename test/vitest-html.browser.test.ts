// Vitest's own html reporter (Vitest UI, @vitest/ui) in a real headless Chromium: the memory
// vitest-memory attaches to each test, and a file's over-budget verdict, show on the test's
// report page, where a user clicking through the explorer finds them.
import { createReadStream, existsSync, mkdtempSync, statSync } from 'node:fs'
import { createServer, type Server } from 'node:http'
import { tmpdir } from 'node:os'
import { extname, join, resolve, sep } from 'node:path'
import type { AddressInfo } from 'node:net'
import type { Browser, Page } from 'playwright-core'
import { afterAll, beforeAll, describe, expect, test } from 'vitest'
import { launchChromium } from './chromium.js'
import { run } from './helpers.js'

const CONTENT_TYPES: Record<string, string> = {
  '.html': 'text/html',
  '.js': 'text/javascript',
  '.css': 'text/css',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
  '.gz': 'application/gzip',
}

/** Serves `root` read-only on 127.0.0.1: the report fetches html.meta.json.gz, which file:// forbids. */
async function serveStatic(root: string): Promise<{ server: Server; url: string }> {
  const server = createServer((request, response) => {
    const path = resolve(root, `.${decodeURIComponent(new URL(request.url ?? '/', 'http://host').pathname)}`)
    const file = existsSync(path) && statSync(path).isDirectory() ? join(path, 'index.html') : path
    if (request.method !== 'GET' || !(file + sep).startsWith(root + sep) || !existsSync(file)) {
      response.writeHead(404).end()
      return
    }
    response.writeHead(200, { 'content-type': CONTENT_TYPES[extname(file)] ?? 'application/octet-stream' })
    createReadStream(file).pipe(response)
  })
  await new Promise<void>((listening, fail) => server.once('error', fail).listen(0, '127.0.0.1', listening))
  return { server, url: `http://127.0.0.1:${(server.address() as AddressInfo).port}` }
}

describe('Vitest UI (html reporter) in Chromium', () => {
  const root = mkdtempSync(join(tmpdir(), 'vm-vitest-html-'))
  let server: Server
  let origin: string
  let browser: Browser
  let page: Page
  const problems: string[] = []

  beforeAll(async () => {
    ;({ server, url: origin } = await serveStatic(root))
    browser = await launchChromium()
    page = await browser.newPage({ viewport: { width: 1400, height: 900 } })
    // The UI links a web font from Google: refused here as offline, the same with or without network.
    await page.route(
      url => new URL(url).origin !== origin,
      route => route.abort('namenotresolved'),
    )
    page.on('console', message => {
      if (message.type() !== 'error') return
      if (message.text() === 'Failed to load resource: net::ERR_NAME_NOT_RESOLVED') return
      problems.push(`console error: ${message.text()}`)
    })
    page.on('pageerror', error => problems.push(`page error: ${error.message}`))
    page.on('requestfailed', request => {
      if (new URL(request.url()).origin !== origin) return
      problems.push(`request failed: ${request.url()} ${request.failure()?.errorText}`)
    })
  })

  afterAll(async () => {
    await browser?.close()
    server?.closeAllConnections()
    await new Promise(closed => (server ? server.close(closed) : closed(undefined)))
  })

  /** Opens the report, clicks the test's row in the explorer and returns its report pane's text. */
  async function openTest(report: string, file: string, name: string): Promise<string> {
    await page.goto(`${origin}/${report}/`, { waitUntil: 'load' })
    const row = (label: string) => page.locator(`[data-testid="explorer-item"][aria-label="${label}"]`)
    await row(file).waitFor()
    // A file's row toggles its tests; one file alone starts expanded.
    if ((await row(name).count()) === 0) await row(file).click()
    await row(name).click()
    // Selecting a test puts its id in the URL's hash (#/?file=…&test=…) and its name atop the pane.
    await page.waitForURL(/#.*[?&]test=/)
    const detail = page.getByTestId('file-detail')
    await detail.getByText(name).first().waitFor()
    // biome-ignore lint/performance/useDomNodeTextContent: Playwright's innerText is the rendered text, with the line breaks the assertions read; textContent runs words together
    return detail.getByTestId('report').innerText()
  }

  test('a test\'s memory shows as its "memory" annotation', async () => {
    const result = await run('vitest', 'per-test', ['run', 'one-heavy-test', '--reporter=html', `--outputFile.html=${join(root, 'per-test/index.html')}`])
    expect(result.code, result.output).toBe(0)
    const text = await openTest('per-test', 'one-heavy-test.test.ts', 'imports the full catalogue')
    // 300 MiB allocated and written: +315 MB over a Node worker of some 60 MB.
    expect(text).toMatch(/Test Annotations\s+memory\s+\+3\d\d MB RSS added, peak 3\d\d MB/)
    await page.screenshot({ path: join(root, 'per-test.png') })
    expect(problems).toEqual([])
  })

  test('a file over its budget is shown failed (red, ✗) in the explorer; a file within it passed', async () => {
    const result = await run('cli', 'verdict', [
      'run',
      '--memory-budget',
      '200MB',
      '--no-memory-history',
      '--reporter=html',
      `--outputFile.html=${join(root, 'verdict/index.html')}`,
    ])
    expect(result.code, result.output).toBe(1)
    await page.goto(`${origin}/verdict/`, { waitUntil: 'load' })
    const row = (label: string) => page.locator(`[data-testid="explorer-item"][aria-label="${label}"]`)
    await row('test/own-heavy.test.ts').waitFor()
    // Vitest UI marks a failed file with the close icon and its name in red.
    const failedMark = '[i-carbon\\:close]'
    for (const file of ['test/own-heavy.test.ts', 'test/subprocess-heavy.test.ts']) {
      expect(await row(file).locator(failedMark).count(), file).toBe(1)
      expect(await row(file).locator(`span.text-red-700:text-is("${file}")`).count(), file).toBe(1)
    }
    expect(await row('test/light.test.ts').locator(failedMark).count()).toBe(0)
    await page.screenshot({ path: join(root, 'verdict.png') })
    expect(problems).toEqual([])
  })

  test('a file over its budget shows its verdict on the test at its peak', async () => {
    const result = await run('vitest', 'budget', ['run', 'heavy.test.ts', '--reporter=html', `--outputFile.html=${join(root, 'budget/index.html')}`])
    expect(result.code, result.output).toBe(1)
    const text = await openTest('budget', 'heavy.test.ts', 'allocates 200 MiB against a 150 MB global budget')
    expect(text).toMatch(/error\s+vitest-memory: the file peaked at 2\d\d MB during this test, over its memory budget of 150 MB \(global\)/)
    expect(text).toMatch(/\+2\d\d MB RSS added, peak 2\d\d MB/)
    await page.screenshot({ path: join(root, 'budget.png') })
    expect(problems).toEqual([])
  })
})
