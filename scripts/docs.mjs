// npm run docs: regenerates what docs/reference.md shows from the code's one options table (the
// options table and the CLI synopsis), then re-runs the projects behind every terminal output shown
// in README.md and docs/ (see doc-outputs.mjs). `--check` changes nothing and exits 1 when a
// committed file differs.
// `--reference-only` stops after docs/reference.md.
import { readFileSync, writeFileSync } from 'node:fs'
import { join, resolve } from 'node:path'
import { spawnSync } from 'node:child_process'
import { renderOptionsTable, renderSynopsis } from '../dist/option-docs.js'

const ROOT = resolve(import.meta.dirname, '..')
const REFERENCE = join(ROOT, 'docs/reference.md')
const BLOCK = /(<!-- generated: ([a-z ]+?) \([^>]*-->\n)[\s\S]*?(\n<!-- end generated -->)/g
const RENDER = {
  'options table': renderOptionsTable,
  'cli synopsis': () => `\`\`\`\n${renderSynopsis()}\n\`\`\``,
}

export function referenceWithTable(text) {
  const names = [...text.matchAll(BLOCK)].map(match => match[2])
  for (const name of Object.keys(RENDER)) if (!names.includes(name)) throw new Error(`docs/reference.md has no generated ${name} block`)
  return text.replace(BLOCK, (whole, open, name, close) => (RENDER[name] ? `${open}${RENDER[name]()}${close}` : whole))
}

const check = process.argv.includes('--check')
const current = readFileSync(REFERENCE, 'utf8')
const generated = referenceWithTable(current)
if (check && generated !== current) {
  console.error('docs/reference.md differs from src/option-table.ts: run `npm run docs`')
  process.exit(1)
}
if (!check && generated !== current) writeFileSync(REFERENCE, generated)
// --reference-only: the generated blocks alone, without re-running the doc projects (a minute).
if (process.argv.includes('--reference-only')) process.exit(0)
const outputs = spawnSync(process.execPath, [join(ROOT, 'scripts/doc-outputs.mjs'), ...(check ? ['--check'] : [])], { stdio: 'inherit' })
process.exit(outputs.status ?? 1)
