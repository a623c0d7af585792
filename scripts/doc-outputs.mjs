// Every terminal output shown in README.md and docs/*.md comes from a real run of a committed
// project. A block is marked by the comment line just before its fence:
//
//   <!-- output: examples/basic run --memory-budget 256MB --memory-budget-warn -->
//
// (a directory relative to the repository, then the vitest-memory arguments). `node
// scripts/doc-outputs.mjs` re-runs each and rewrites the block from the line starting with
// "  MEMORY" on (or the whole output for a `why`); `--check` only compares, ignoring what changes
// from run to run (sizes, times, bars, pids, dates), and exits 1 naming the blocks that drifted.
import { execFileSync } from 'node:child_process'
import { mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join, resolve } from 'node:path'

const ROOT = resolve(import.meta.dirname, '..')
const CLI = join(ROOT, 'dist/cli/main.js')
const MARKER = /^<!-- output: (\S+) (.+?) -->\n```[a-z]*\n([\s\S]*?)```/gm

export function documents() {
  return ['README.md', ...readdirSync(join(ROOT, 'docs')).filter(f => f.endsWith('.md')).map(f => `docs/${f}`)]
}

/** Runs a marked command the way a user would, without history or journal side effects. */
export function runMarked(dir, args) {
  const scratch = mkdtempSync(join(tmpdir(), 'vm-doc-'))
  const argv = args.split(' ')
  const extra = argv[0] === 'why' ? [] : ['--no-memory-history', '--no-memory-journal', '--memory-report', join(scratch, 'report.json')]
  let output
  try {
    output = execFileSync(process.execPath, [CLI, ...argv, ...extra], {
      cwd: join(ROOT, dir), encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'],
      env: { ...withoutVitestVariables(process.env), NO_COLOR: '1', CI: 'true' },
    })
  } catch (error) {
    output = `${error.stdout ?? ''}${error.stderr ?? ''}`
  }
  return excerpt(output.replaceAll(scratch, '.vitest-memory'), argv[0] === 'why')
}

function excerpt(output, whole) {
  const lines = output.split('\n')
  const start = whole ? 0 : lines.findIndex(line => line.startsWith('  MEMORY'))
  return `${lines.slice(Math.max(0, start)).join('\n').trimEnd()}\n`
}

function withoutVitestVariables(env) {
  return Object.fromEntries(Object.entries(env).filter(([key]) => !key.startsWith('VITEST') && key !== 'NODE_ENV' && key !== 'FORCE_COLOR'))
}

/** What stays the same between two runs of the same project. */
export function shape(text) {
  return text
    .replace(/[█░]+/g, '▒')
    .replace(/\d+(\.\d+)? ?(kB|MB|GB|B)\b/g, 'N $2')
    .replace(/\d+(\.\d+)? ?(ms|s|min)\b/g, 'TIME')
    .replace(/\d+%/g, 'N%')
    .replace(/pid \d+|\b\d{4,}\b/g, 'N')
    .replace(/\d{4}-\d\d-\d\dT[\d:.]+Z/g, 'DATE')
    // Of near-equal peaks, which test reached the highest varies from run to run.
    .replace(/during test "[^"]*"/g, 'during test "T"')
    .replace(/ +/g, ' ')
}

function main() {
  const check = process.argv.includes('--check')
  const drifted = []
  for (const doc of documents()) {
    const path = join(ROOT, doc)
    const text = readFileSync(path, 'utf8')
    const updated = text.replace(MARKER, (block, dir, args, shown) => {
      const fresh = runMarked(dir, args)
      if (check && shape(fresh) !== shape(shown)) drifted.push(`${doc}: ${dir} ${args}`)
      return block.replace(shown, fresh)
    })
    if (!check && updated !== text) writeFileSync(path, updated)
  }
  if (drifted.length) {
    console.error(`doc outputs drifted from what the code prints (run \`npm run docs\`):\n  ${drifted.join('\n  ')}`)
    process.exit(1)
  }
}

if (import.meta.url === `file://${process.argv[1]}`) main()
