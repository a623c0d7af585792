// npm run docs: regenerates what docs/reference.md shows from the code's one options table, then
// re-runs the projects behind every terminal output shown in README.md and docs/ (see
// doc-outputs.mjs). `--check` changes nothing and exits 1 when a committed file differs.
import { readFileSync, writeFileSync } from 'node:fs'
import { join, resolve } from 'node:path'
import { spawnSync } from 'node:child_process'
import { renderOptionsTable } from '../dist/option-table.js'

const ROOT = resolve(import.meta.dirname, '..')
const REFERENCE = join(ROOT, 'docs/reference.md')
const BLOCK = /(<!-- generated: options table[^>]*-->\n)[\s\S]*?(\n<!-- end generated -->)/

export function referenceWithTable(text) {
  if (!BLOCK.test(text)) throw new Error('docs/reference.md has no generated options block')
  return text.replace(BLOCK, (_, open, close) => `${open}${renderOptionsTable()}${close}`)
}

const check = process.argv.includes('--check')
const current = readFileSync(REFERENCE, 'utf8')
const generated = referenceWithTable(current)
if (check && generated !== current) {
  console.error('docs/reference.md differs from src/option-table.ts: run `npm run docs`')
  process.exit(1)
}
if (!check && generated !== current) writeFileSync(REFERENCE, generated)
const outputs = spawnSync(process.execPath, [join(ROOT, 'scripts/doc-outputs.mjs'), ...(check ? ['--check'] : [])], { stdio: 'inherit' })
process.exit(outputs.status ?? 1)
