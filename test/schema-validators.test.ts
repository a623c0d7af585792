// The validators the package ships are compiled from schema/*.schema.json at build time (ajv's
// standalone code): they must be the ones today's schemas compile to.
import { execFileSync } from 'node:child_process'
import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { expect, test } from 'vitest'
import { ROOT } from './helpers.js'

test('src/record/schema-validators.js is compiled from the current schemas (npm run schemas)', () => {
  expect(() => execFileSync(process.execPath, [join(ROOT, 'scripts/compile-schemas.mjs'), '--check'], { encoding: 'utf8', stdio: 'pipe' })).not.toThrow()
})

test('nothing in src/ or in the shipped validators loads ajv at run time', () => {
  const shipped = readFileSync(join(ROOT, 'src/record/schema-validators.js'), 'utf8')
  expect(shipped).not.toMatch(/from\s*["'`]ajv|import\(\s*["'`]ajv|createRequire|require\(["'`]ajv\/dist\/(?!runtime\/ucs2length"\)\.default`)/)
  const schemas = readFileSync(join(ROOT, 'src/record/schemas.ts'), 'utf8')
  expect(schemas).not.toMatch(/from 'ajv'/)
  const pkg = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { dependencies: Record<string, string> }
  expect(Object.keys(pkg.dependencies)).not.toContain('ajv')
})
