// Takes the README's screenshot of an HTML report: node scripts/screenshot.mjs REPORT.html OUT.png
// (`npm run screenshot` runs the example with --memory-html first). Debian Chromium, headless.
import { chromium } from 'playwright-core'
import { resolve } from 'node:path'
import { pathToFileURL } from 'node:url'

const [input, output] = process.argv.slice(2)
if (!input || !output) {
  console.error('usage: node scripts/screenshot.mjs REPORT.html OUT.png')
  process.exit(2)
}
const browser = await chromium.launch({
  executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium',
  args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run'],
})
try {
  const page = await browser.newPage({ viewport: { width: 1100, height: 800 }, deviceScaleFactor: 1 })
  await page.goto(pathToFileURL(resolve(input)).href)
  await page.screenshot({ path: output, fullPage: true })
  console.log(`screenshot: ${output}`)
} finally {
  await browser.close()
}
