// Every terminal output shown in README.md and docs/*.md comes from a real run of a committed
// project. A block is marked by the comment line just before its fence (indented as the fence is):
//
//   <!-- output: examples/basic run --memory-budget 256MB --memory-budget-warn -->
//   <!-- output: DIR ARGS | after run ARGS, SIGKILLed 4s after FILE starts | lines matching /REGEX/ -->
//
// DIR is a project relative to the repository, ARGS the vitest-memory arguments. Each marked block
// runs in a fresh copy of DIR under .e2e-tmp/ (removed afterwards): its history, journal, reports
// and heap profiles land in the copy, a committed file the arguments name (`--memory-history
// history.json`) is read from the copy, and nothing is left behind in the repository. Paths in the
// copy are shown relative to it, this repository's node_modules as node_modules/. Stages after
// the command, each introduced by " | ":
//
//   after run [ARGS]          first `vitest-memory run ARGS` in the same copy: the history `plan`
//                             reads, the journal `why` reads
//     …, SIGKILLed Ns after FILE starts
//                             …and kill that run without warning N s after the journal shows FILE
//                             starting (what the OOM killer or a CI timeout does)
//   from "TEXT"               the excerpt starts at the first line containing TEXT (without this
//                             or `lines matching`: from the line starting with "  MEMORY" for
//                             `run`, the whole output for other commands)
//   lines matching /REGEX/    keep only the lines REGEX matches; left-out lines between two kept
//                             ones show as one "…"
//
// `node scripts/doc-outputs.mjs` re-runs each and rewrites the block; `--check` only compares,
// ignoring what changes from run to run (sizes, times, bars, pids, dates, which of near-equal
// tests peaked, the small allocation sites below the top one), and exits 1 naming the blocks that
// drifted.
import { spawn } from 'node:child_process'
import {
  closeSync,
  cpSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  openSync,
  readdirSync,
  readFileSync,
  realpathSync,
  rmdirSync,
  rmSync,
  writeFileSync,
} from 'node:fs'
import { basename, join, relative, resolve } from 'node:path'
import { setTimeout as sleep } from 'node:timers/promises'

const ROOT = resolve(import.meta.dirname, '..')
const CLI = join(ROOT, 'dist/cli/main.js')
/** Inside the package, so `vitest-memory` and `vitest/config` resolve from the copies as from DIR. */
const COPIES = join(ROOT, '.e2e-tmp')
const MARKER = /^( *)<!-- output: (\S+) (.+?) -->\n\1```[a-z]*\n([\s\S]*?)\1```/gm
const STAGE = / \| (?=after run\b|from "|lines matching \/)/
/** How long a killed run may take to reach its file (a loaded machine starts Vitest slowly). */
const START_DEADLINE_MS = 60_000

export function documents() {
  return [
    'README.md',
    ...readdirSync(join(ROOT, 'docs'))
      .filter(f => f.endsWith('.md'))
      .map(f => `docs/${f}`),
  ]
}

/** `ARGS | stage | stage` of a marker, as { args, after, kill, from, matching }. */
export function parseSpec(spec) {
  const [args, ...stages] = spec.split(STAGE)
  const parsed = { args, after: null, kill: null, from: null, matching: null }
  for (const stage of stages) {
    const after = /^after run((?: [^,]+)?)(?:, SIGKILLed (\d+)s after (\S+) starts)?$/.exec(stage)
    const from = /^from "(.+)"$/.exec(stage)
    const matching = /^lines matching \/(.+)\/$/.exec(stage)
    if (after) {
      parsed.after = `run${after[1]}`
      if (after[2]) parsed.kill = { afterMs: Number(after[2]) * 1000, file: after[3] }
    } else if (from) {
      parsed.from = from[1]
    } else if (matching) {
      parsed.matching = new RegExp(matching[1])
    } else {
      throw new Error(`unknown stage "${stage}" in <!-- output: … ${spec} -->`)
    }
  }
  return parsed
}

/** Runs a marked command the way a user would, in a fresh copy of its project; returns the excerpt. */
export async function runMarked(dir, spec) {
  const { args, after, kill, from, matching } = parseSpec(spec)
  mkdirSync(COPIES, { recursive: true })
  const copy = mkdtempSync(join(COPIES, `doc-${basename(dir)}-`))
  const source = join(ROOT, dir)
  cpSync(source, copy, { recursive: true, filter: path => !/(^|\/)(node_modules|\.vitest-memory)$/.test(relative(source, path)) })
  try {
    if (after) await runCli(copy, after.split(' '), kill)
    let output = await runCli(copy, args.split(' '))
    for (const path of [copy, realpathSync(join(ROOT, 'node_modules')), join(ROOT, 'node_modules')])
      output = output.replaceAll(`${path}/`, path === copy ? '' : 'node_modules/')
    output = output.replaceAll(copy, '.')
    return excerpt(output, from ?? (args.startsWith('run') && !matching ? '  MEMORY' : null), matching)
  } finally {
    rmSync(copy, { recursive: true, force: true, maxRetries: 5 })
    try {
      rmdirSync(COPIES)
    } catch {
      /* not empty: the test suite's own copies */
    }
  }
}

/** What `vitest-memory ARGV` in DIR prints, stdout and stderr interleaved as on a terminal; with
 *  `kill`, SIGKILLed once its file ran that long. */
async function runCli(dir, argv, kill = null) {
  const log = `${dir}.log`
  const fd = openSync(log, 'w')
  try {
    const child = spawn(process.execPath, [CLI, ...argv], {
      cwd: dir,
      stdio: ['ignore', fd, fd],
      env: { ...withoutVitestVariables(process.env), NO_COLOR: '1', CI: 'true' },
    })
    const exited = new Promise(done => child.on('close', done))
    if (kill) {
      const startedAt = await fileStart(join(dir, '.vitest-memory/journal.jsonl'), kill.file, exited)
      await sleep(Math.max(0, startedAt + kill.afterMs - Date.now()))
      const tree = descendants(child.pid)
      child.kill('SIGKILL')
      // A test process busy in synchronous code never sees the runner's IPC channel close: end it
      // (and its process group) here rather than leave it growing after the block is written.
      for (const pid of tree)
        for (const target of [-pid, pid])
          try {
            process.kill(target, 'SIGKILL')
          } catch {
            /* gone */
          }
    }
    await exited
    return readFileSync(log, 'utf8')
  } finally {
    closeSync(fd)
    rmSync(log, { force: true })
  }
}

/** Every process under PID, from /proc (read before the kill: orphans no longer say whose they were). */
function descendants(pid) {
  let tasks = []
  try {
    tasks = readdirSync(`/proc/${pid}/task`)
  } catch {
    /* gone meanwhile */
  }
  const children = tasks.flatMap(tid => {
    try {
      return readFileSync(`/proc/${pid}/task/${tid}/children`, 'utf8').split(' ').filter(Boolean).map(Number)
    } catch {
      return []
    }
  })
  return children.flatMap(child => [child, ...descendants(child)])
}

/** When the journal shows FILE starting (ms since 1970); throws if the run ends or takes too long first. */
async function fileStart(journal, file, exited) {
  let over = false
  exited.then(() => {
    over = true
  })
  const deadline = Date.now() + START_DEADLINE_MS
  for (;;) {
    const lines = existsSync(journal) ? readFileSync(journal, 'utf8').split('\n').filter(Boolean) : []
    const start = lines.map(parseLine).find(e => e?.t === 'file-start' && e.file === file)
    if (start) return start.at
    if (over || Date.now() > deadline) throw new Error(`${file} never started in ${journal}`)
    await sleep(50)
  }
}

/** A journal line, or null for one still being written. */
function parseLine(line) {
  try {
    return JSON.parse(line)
  } catch {
    return null
  }
}

function excerpt(output, from, matching) {
  let lines = output.trimEnd().split('\n')
  if (from)
    lines = lines.slice(
      Math.max(
        0,
        lines.findIndex(line => line.includes(from)),
      ),
    )
  if (matching) {
    const kept = lines.map(line => matching.test(line))
    const first = kept.indexOf(true)
    const last = kept.lastIndexOf(true)
    lines = lines.flatMap((line, i) => (kept[i] ? [line] : i > first && i < last && kept[i - 1] ? [`${line.match(/^ */)[0]}…`] : []))
  }
  return `${lines.join('\n').trimEnd()}\n`
}

function withoutVitestVariables(env) {
  return Object.fromEntries(Object.entries(env).filter(([key]) => !key.startsWith('VITEST') && key !== 'NODE_ENV' && key !== 'FORCE_COLOR'))
}

/** What stays the same between two runs of the same project. */
export function shape(text) {
  return (
    text
      // A machine in a memory-limited container also names its limit (`why`): not the doc's business.
      .replace(/, container limit \d+(\.\d+)? ?(kB|MB|GB|B)\b/g, '')
      .replace(/[█░]+/g, '▒')
      .replace(/\d+(\.\d+)? ?(kB|MB|GB|B)\b/g, 'SIZE')
      .replace(/\d+(\.\d+)? ?(ms|s|min)\b/g, 'TIME')
      .replace(/\d+%/g, 'N%')
      .replace(/("\w+(?:Ms|Bytes)": )-?\d+/g, '$1N')
      .replace(/\d{4}-\d\d-\d\dT[\d:.]+Z/g, 'DATE')
      .replace(/\b\d{4}-\d\d-\d\d\b/g, 'DATE')
      .replace(/pid \d+|\b\d{4,}\b/g, 'N')
      .replace(/\(heaviest: \d+/g, '(heaviest: N')
      // A shard plan balances measured peaks and durations: which shard a middling file lands on
      // varies with the machine's timings (the heaviest files stay apart; the prose says so).
      .replace(/"files": \[[^\]]*\]/g, '"files": [FILES]')
      .replace(/(shard \d+\/\d+: )\d+ files? · --max-workers \d+/g, '$1N files · --max-workers N')
      // Where Node lives differs from machine to machine.
      .replace(/(?:\/[\w.+-]+)+\/node\b/g, 'node')
      // Of near-equal peaks, which test reached the highest, or added the most, varies from run to run.
      .replace(/during test "[^"]*"/g, 'during test "T"')
      .replace(/it added the most: \+|most added by test "[^"]*" \+/g, 'most added +')
      // Below the top allocation site, which small sites make the list varies from run to run.
      .replace(/(allocation sites live at the peak \([^)]*\): [^;\n]+)(;.*)?/g, '$1')
      .replace(/ +/g, ' ')
  )
}

/** The first line where two outputs differ in shape, as the doc shows it and as the code prints it now. */
function firstDifference(shown, fresh) {
  const [a, b] = [shown, fresh].map(text => text.split('\n'))
  const i = a.findIndex((line, n) => shape(line) !== shape(b[n] ?? ''))
  const at = i === -1 ? a.length : i
  return `    shown: ${a[at]?.trim() ?? '(end)'}\n    now:   ${b[at]?.trim() ?? '(end)'}`
}

async function main() {
  const check = process.argv.includes('--check')
  const drifted = []
  for (const doc of documents()) {
    const path = join(ROOT, doc)
    const text = readFileSync(path, 'utf8')
    let updated = ''
    let end = 0
    for (const match of text.matchAll(MARKER)) {
      const [block, indent, dir, spec, shown] = match
      const fresh = (await runMarked(dir, spec)).replace(/^(?=.)/gm, indent)
      if (check && shape(fresh) !== shape(shown)) drifted.push(`${doc}: ${dir} ${spec}\n${firstDifference(shown, fresh)}`)
      const fence = `${indent}\`\`\``
      updated += text.slice(end, match.index) + block.slice(0, block.length - shown.length - fence.length) + fresh + fence
      end = match.index + block.length
    }
    updated += text.slice(end)
    if (!check && updated !== text) writeFileSync(path, updated)
  }
  if (drifted.length) {
    console.error(`doc outputs drifted from what the code prints (run \`npm run docs\`):\n  ${drifted.join('\n  ')}`)
    process.exit(1)
  }
}

if (import.meta.url === `file://${process.argv[1]}`) await main()
