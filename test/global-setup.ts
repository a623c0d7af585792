// Prepares the e2e target of a project (see TARGET in helpers.ts) and removes fixture copies.
import { cpSync, existsSync, mkdirSync, rmSync } from 'node:fs'
import { join, resolve } from 'node:path'
import type { TestProject } from 'vitest/node'
import { COMPAT_V5, E2E_TMP } from './targets.js'

const ROOT = resolve(import.meta.dirname, '..')

export default function setup(project: TestProject): () => void {
  const v5 = project.name === 'vitest-5'
  const copies = v5 ? join(COMPAT_V5, '.fixtures') : E2E_TMP
  rmSync(copies, { recursive: true, force: true })
  if (v5) installIntoCompat()
  return () => rmSync(copies, { recursive: true, force: true })
}

/**
 * compat/vitest5 gets a copy of this package (package.json, dist and schema), not a link: a link would
 * resolve `vitest/node` from the real path, i.e. this package's own Vitest 4.
 */
function installIntoCompat(): void {
  if (!existsSync(join(COMPAT_V5, 'node_modules/vitest'))) {
    throw new Error('compat/vitest5 is not installed: run `npm ci --prefix compat/vitest5` (see .ci/run).')
  }
  const target = join(COMPAT_V5, 'node_modules/vitest-memory')
  rmSync(target, { recursive: true, force: true })
  mkdirSync(target, { recursive: true })
  cpSync(join(ROOT, 'package.json'), join(target, 'package.json'))
  cpSync(join(ROOT, 'dist'), join(target, 'dist'), { recursive: true })
  cpSync(join(ROOT, 'schema'), join(target, 'schema'), { recursive: true })
}
