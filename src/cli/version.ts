// `vitest-memory --version` (or -v): this package's version and the Vitest it runs, then exit 0
// without starting anything.
import { readFileSync } from 'node:fs'
import { createRequire } from 'node:module'
import { fileURLToPath } from 'node:url'

export const VERSION_FLAGS = ['--version', '-v']

/** True when the arguments before any `--` ask for the version. */
export function asksForVersion(argv: string[]): boolean {
  const own = argv.includes('--') ? argv.slice(0, argv.indexOf('--')) : argv
  return own.some(arg => VERSION_FLAGS.includes(arg))
}

/** `vitest-memory 0.1.0 (vitest 4.1.12)`: the Vitest is the one `vitest/node` resolves to from here, the one a run would start. */
export function versionLine(): string {
  const own = readVersion(fileURLToPath(new URL('../../package.json', import.meta.url)))
  let vitest: string
  try {
    vitest = `vitest ${readVersion(createRequire(import.meta.url).resolve('vitest/package.json'))}`
  } catch {
    vitest = 'vitest not found: install it beside vitest-memory (peer dependency vitest >=4.1.0 <6)'
  }
  return `vitest-memory ${own} (${vitest})`
}

function readVersion(packageJson: string): string {
  return (JSON.parse(readFileSync(packageJson, 'utf8')) as { version: string }).version
}
