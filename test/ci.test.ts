// CI runs on a clean clone: .ci/run must install (npm ci) and then run the README's test command.
import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { expect, test } from 'vitest'
import { ROOT } from './helpers.js'

const commands = (text: string) =>
  text
    .split('\n')
    .map(l => l.trim())
    .filter(l => l && !l.startsWith('#') && !/^(set|cd) /.test(l))

test(".ci/run is `npm ci` and then the README's test command", () => {
  const ci = commands(readFileSync(join(ROOT, '.ci/run'), 'utf8'))
  expect(ci[0]).toBe('npm ci')
  expect(ci).toContain('npm test')
  expect(ci.indexOf('npm test')).toBeGreaterThan(0)
  // the e2e suite's Vitest 5 target (compat/vitest5) is installed before the tests run
  expect(ci.indexOf('npm ci --prefix compat/vitest5')).toBeGreaterThan(0)
  expect(ci.indexOf('npm ci --prefix compat/vitest5')).toBeLessThan(ci.indexOf('npm test'))
})

test("the README's first screen gives the example command and the test command", () => {
  const firstScreen = readFileSync(join(ROOT, 'README.md'), 'utf8').split('\n').slice(0, 40).join('\n')
  expect(firstScreen).toContain('npm ci && npm run example')
  expect(firstScreen).toContain('npm test')
  const pkg = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8'))
  expect(pkg.scripts.example).toContain('examples/basic')
  expect(pkg.scripts.test).toContain('vitest run')
})

test(".ci/run installs Debian's Chromium where missing, before the tests that drive it", () => {
  const ci = commands(readFileSync(join(ROOT, '.ci/run'), 'utf8'))
  const install = ci.findIndex(l => l.includes('apt-get install') && l.includes('chromium') && l.includes('apt-get update'))
  expect(install).toBeGreaterThan(0)
  expect(install).toBeLessThan(ci.indexOf('npm test'))
  expect(ci[install]).toMatch(/^if \[ ! -x \/usr\/bin\/chromium \]/)
})
