// `npm test` runs the e2e suite against Vitest 5 on Node 22 too, installed in compat/vitest5 from
// its own lockfile. Installs it when missing, so `npm ci && npm test` works on a fresh machine.
import { execFileSync } from 'node:child_process'
import { existsSync } from 'node:fs'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'

const compat = join(dirname(fileURLToPath(import.meta.url)), '../compat/vitest5')
if (!existsSync(join(compat, 'node_modules/vitest/package.json'))) {
  console.log('Installing the Vitest 5 test target (compat/vitest5)…')
  execFileSync(process.platform === 'win32' ? 'npm.cmd' : 'npm', ['ci', '--no-audit', '--no-fund', '--prefix', compat], { stdio: 'inherit' })
}
