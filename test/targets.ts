// Where the e2e suite's two targets live; shared by the helpers and the global setup.
import { join, resolve } from 'node:path'

const ROOT = resolve(import.meta.dirname, '..')
/** Set per project in vitest.config.ts: 4 (this package's Vitest) or 5 (compat/vitest5). */
export const TARGET_MAJOR = process.env.E2E_VITEST === '5' ? 5 : 4
export const COMPAT_V5 = join(ROOT, 'compat/vitest5')
/** Writable fixture copies for the Vitest 4 target (inside the package, so self-reference works). */
export const E2E_TMP = join(ROOT, '.e2e-tmp')
