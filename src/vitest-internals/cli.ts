// Vitest's command line: its own option definitions (cac), to refuse what `vitest` refuses.
import { readFileSync } from 'node:fs'
import { createRequire } from 'node:module'
import { dirname, join } from 'node:path'
import { pathToFileURL } from 'node:url'

export interface CacOption {
  rawName: string
  /** The camelCased key the value is stored under. */
  name: string
  /** `--flag <value>`: a value must be given. */
  required?: boolean
}

export interface CacCommand {
  options: CacOption[]
  hasOption(name: string): unknown
  /** Throws when an option that needs a value was given none (`--project` at the end). */
  checkOptionValue(): void
}

/** The cac instance Vitest's `createCLI()` builds: every option `vitest` knows, and its parser. */
export interface VitestCac {
  parse(argv: string[], options: { run: boolean }): { args: string[]; options: Record<string, unknown> }
  globalCommand: CacCommand
  matchedCommand?: CacCommand
}

let createCliLoader: Promise<(() => VitestCac) | null> | undefined

/**
 * Vitest's `createCLI`, or null when this Vitest keeps it out of reach. 5.x exports it from
 * `vitest/node`; 4.1 does not, but its unhashed `dist/cli.js` imports it by name from a hashed chunk.
 */
export function vitestCreateCLI(): Promise<(() => VitestCac) | null> {
  createCliLoader ??= (async () => {
    const node = (await import('vitest/node')) as { createCLI?: () => VitestCac }
    if (typeof node.createCLI === 'function') return node.createCLI
    try {
      const dist = join(dirname(createRequire(import.meta.url).resolve('vitest/package.json')), 'dist')
      const cli = readFileSync(join(dist, 'cli.js'), 'utf8')
      const [, alias, chunk] = /import\s*\{[^}]*?\b([\w$]+) as createCLI\b[^}]*\}\s*from\s*'(\.\/chunks\/[^']+)'/.exec(cli) ?? []
      if (!alias) return null
      const exports = (await import(pathToFileURL(join(dist, chunk)).href)) as Record<string, unknown>
      return typeof exports[alias] === 'function' ? (exports[alias] as () => VitestCac) : null
    } catch {
      return null
    }
  })()
  return createCliLoader
}
