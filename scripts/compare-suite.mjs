#!/usr/bin/env node
// Runs a real project's Vitest suite under Vitest's `forks` pool and under vitest-memory, and
// diffs what a user would compare: each file's state, the test counts, the wall time, and which
// files the pool did not measure. Exit 0: same states and counts; 1: a difference, a hang or a
// run without results; 2: usage error. See docs/compatibility.md, "Real-suite corpus".
//
//   node scripts/compare-suite.mjs CHECKOUT [--dir SUB] [--config FILE] [--project NAME]…
//        [--timeout MIN] [--out DIR] [--node PATH] [--keep-pool | --pool NAME] [-- extra vitest args…]
//
// --pool NAME: the plain side runs Vitest's pool NAME instead of `forks`, and vitest-memory is
// given `--pool NAME` too, so it stands in the way a user would get it (`vmForks`/`vmThreads`:
// vm mode; `threads`: processes). The result files keep their names (forks.log, forks.json) and
// the summary says which pool the plain side ran (`baselinePool`).
//
// The checkout's own Vitest runs both sides. vitest-memory (this repo's package.json + dist) is
// copied beside that Vitest, so the CLI's `import('vitest/node')` and the config's
// `vitest/config` are the same Vitest; our runtime dependencies are linked into the copy.
import { spawn, execFileSync } from 'node:child_process'
import { cpSync, existsSync, mkdirSync, readFileSync, realpathSync, rmSync, symlinkSync, writeFileSync } from 'node:fs'
import { createRequire } from 'node:module'
import { tmpdir } from 'node:os'
import { basename, dirname, join, relative, resolve } from 'node:path'

const REPO = resolve(import.meta.dirname, '..')
/** A whole suite run longer than this is a hang (override with --timeout MINUTES). */
const DEFAULT_TIMEOUT_MIN = 15
/** After SIGTERM to a timed-out run's process group, how long before SIGKILL. */
const KILL_GRACE_MS = 10_000
/** Vitest's own pools, which the CLI stands in for; the plain side's pool with --pool. */
const BASELINE_POOLS = new Set(['forks', 'threads', 'vmForks', 'vmThreads'])
const USAGE =
  'usage: node scripts/compare-suite.mjs CHECKOUT [--dir SUB] [--config FILE] [--project NAME]… [--timeout MIN] [--out DIR] [--node PATH] [--keep-pool | --pool NAME] [-- vitest args…]'

function usage(message) {
  console.error(`compare-suite: ${message}\n${USAGE}`)
  process.exit(2)
}

function parseArgs(argv) {
  const opts = { projects: [], extra: [], timeoutMin: DEFAULT_TIMEOUT_MIN, keepPool: false }
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]
    const value = () => {
      const v = argv[++i]
      if (v === undefined) usage(`${arg} needs a value`)
      return v
    }
    if (arg === '--') {
      opts.extra = argv.slice(i + 1)
      break
    } else if (arg === '--dir') opts.dir = value()
    else if (arg === '--config') opts.config = value()
    else if (arg === '--project') opts.projects.push(value())
    else if (arg === '--timeout') opts.timeoutMin = Number(value())
    else if (arg === '--out') opts.out = value()
    else if (arg === '--node') opts.node = value()
    else if (arg === '--keep-pool') opts.keepPool = true
    else if (arg === '--pool') opts.pool = value()
    else if (arg === '-h' || arg === '--help') {
      console.log(USAGE)
      process.exit(0)
    } else if (arg.startsWith('-')) usage(`unknown option ${arg} (Vitest's own options go after --)`)
    else if (opts.checkout) usage(`one checkout only (got ${opts.checkout} and ${arg})`)
    else opts.checkout = arg
  }
  if (!opts.checkout) usage('give the checkout directory')
  if (!(opts.timeoutMin > 0)) usage('--timeout takes a number of minutes > 0')
  if (opts.pool !== undefined && !BASELINE_POOLS.has(opts.pool))
    usage(`--pool takes one of Vitest's pools: ${[...BASELINE_POOLS].join(', ')} (got ${opts.pool})`)
  if (opts.pool !== undefined && opts.keepPool) usage("--pool and --keep-pool exclude each other (one says which pool, the other keeps the config's)")
  return opts
}

/** The checkout's Vitest: its real directory and version; only our peer range (4.1.x, 5.x). */
function checkoutVitest(runDir) {
  let pkgPath
  try {
    pkgPath = createRequire(join(runDir, 'noop.js')).resolve('vitest/package.json')
  } catch {
    usage(`no Vitest resolves from ${runDir}: install the project's dependencies first`)
  }
  const dir = dirname(realpathSync(pkgPath))
  const version = JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8')).version
  const [major, minor] = version.split('.').map(Number)
  if (!((major === 4 && minor >= 1) || major === 5)) {
    usage(`the checkout has Vitest ${version}; vitest-memory supports 4.1.x and 5.x: upgrade it (e.g. vitest@4.1.12) or skip this suite`)
  }
  return { dir, version }
}

/** Puts this repo's built package beside the checkout's Vitest, so both resolve the same one. */
function installPool(vitestDir) {
  if (!existsSync(join(REPO, 'dist/cli/main.js'))) usage(`${REPO}/dist is missing: run \`npm run build\` first`)
  const target = join(dirname(vitestDir), 'vitest-memory')
  if (existsSync(target) && !existsSync(join(target, '.compare-suite'))) {
    usage(`${target} exists and was not put there by this script; remove it or run on another checkout`)
  }
  rmSync(target, { recursive: true, force: true })
  mkdirSync(join(target, 'node_modules'), { recursive: true })
  cpSync(join(REPO, 'package.json'), join(target, 'package.json'))
  cpSync(join(REPO, 'dist'), join(target, 'dist'), { recursive: true })
  writeFileSync(join(target, '.compare-suite'), `copied from ${REPO} by scripts/compare-suite.mjs\n`)
  const ours = createRequire(join(REPO, 'package.json'))
  for (const dep of Object.keys(JSON.parse(readFileSync(join(REPO, 'package.json'), 'utf8')).dependencies ?? {})) {
    const depDir = dirname(realpathSync(ours.resolve(`${dep}/package.json`)))
    mkdirSync(dirname(join(target, 'node_modules', dep)), { recursive: true })
    symlinkSync(depDir, join(target, 'node_modules', dep), 'dir')
  }
  return target
}

/** The caller's environment minus the outer Vitest's variables; colors are left alone (suites test them). */
function cleanEnv() {
  const env = {}
  for (const [key, value] of Object.entries(process.env)) {
    if (key.startsWith('VITEST') || key === 'TEST' || key === 'NODE_ENV' || key === 'FORCE_COLOR') continue
    env[key] = value
  }
  return { ...env, CI: 'true' }
}

/** One Vitest run in its own process group, killed whole at the timeout. */
function runOnce({ node, args, cwd, logPath, timeoutMs }) {
  return new Promise(done => {
    const started = performance.now()
    const child = spawn(node, args, { cwd, env: cleanEnv(), detached: true, stdio: ['ignore', 'pipe', 'pipe'] })
    let log = `$ ${node} ${args.join(' ')}\n(cwd ${cwd})\n`
    child.stdout.on('data', c => {
      log += c
    })
    child.stderr.on('data', c => {
      log += c
    })
    let hung = false
    const killGroup = signal => {
      try {
        process.kill(-child.pid, signal)
      } catch {}
    }
    const timer = setTimeout(() => {
      hung = true
      killGroup('SIGTERM')
      setTimeout(() => killGroup('SIGKILL'), KILL_GRACE_MS).unref()
    }, timeoutMs)
    const onSignal = () => {
      killGroup('SIGKILL')
      process.exit(130)
    }
    process.once('SIGINT', onSignal)
    child.on('close', (code, signal) => {
      clearTimeout(timer)
      process.off('SIGINT', onSignal)
      // Whatever the run left in its group (a server from globalSetup, a stuck worker) goes too.
      killGroup('SIGKILL')
      const wallMs = performance.now() - started
      writeFileSync(logPath, log)
      done({ code, signal, hung, wallMs, log })
    })
  })
}

const STATE = { passed: 'pass', failed: 'fail', skipped: 'skip', pending: 'skip', todo: 'skip' }

/** Vitest's json reporter output → per-file states (a file may run in several projects) and counts. */
function readJson(path, root) {
  if (!existsSync(path)) return null
  const json = JSON.parse(readFileSync(path, 'utf8'))
  const files = new Map()
  const tests = new Map()
  for (const file of json.testResults) {
    const name = relative(root, file.name).split('\\').join('/')
    const states = files.get(name) ?? []
    // A file whose tests all skipped is reported "passed" with no passed test by some versions.
    states.push(STATE[file.status] ?? file.status)
    files.set(name, states)
    for (const a of file.assertionResults) {
      const key = `${name} > ${a.fullName}`
      tests.set(key, [...(tests.get(key) ?? []), a.status])
    }
  }
  return {
    files,
    tests,
    counts: {
      files: json.testResults.length,
      tests: json.numTotalTests,
      passed: json.numPassedTests,
      failed: json.numFailedTests,
      skipped: json.numPendingTests,
      todo: json.numTodoTests,
    },
  }
}

function same(a, b) {
  return [...a].sort().join(',') === [...b].sort().join(',')
}

function diffStates(forks, pool) {
  const out = []
  for (const name of new Set([...forks.keys(), ...pool.keys()])) {
    const f = forks.get(name) ?? []
    const p = pool.get(name) ?? []
    if (!same(f, p)) out.push({ file: name, forks: f.join('+') || 'missing', pool: p.join('+') || 'missing' })
  }
  return out.sort((a, b) => a.file.localeCompare(b.file))
}

const TYPECHECK_FILE = /\.(test|spec)-d\.[cm]?[jt]sx?$/

/** Files in Vitest's results the pool did not measure (no report entry with a peak), and why if known. */
function unmeasured(files, report, root) {
  const measured = new Map()
  for (const entry of report?.files ?? []) {
    if (entry.peakRssBytes == null && entry.treePeakRssBytes == null) continue
    measured.set(entry.file, (measured.get(entry.file) ?? 0) + 1)
  }
  const out = []
  for (const [name, states] of files) {
    // The report's paths are relative to each project's root; match by path suffix.
    const abs = resolve(root, name)
    let count = 0
    for (const [file, n] of measured) if (abs === resolve(root, file) || abs.endsWith(`/${file}`)) count += n
    if (count >= states.length) continue
    const why = TYPECHECK_FILE.test(name)
      ? "type test (Vitest's typecheck pool)"
      : states.every(s => s === 'skip')
        ? 'skipped, no process started'
        : 'not in the memory report'
    out.push({ file: name, runs: states.length, measured: count, why })
  }
  return out
}

function heaviest(report) {
  let best = null
  for (const entry of report?.files ?? []) {
    const peak = entry.treePeakRssBytes ?? entry.peakRssBytes
    if (peak != null && (!best || peak > best.peak)) best = { file: entry.file, project: entry.project, peak }
  }
  return best
}

const mb = bytes => `${(bytes / 1e6).toFixed(1)} MB`
const sec = ms => `${(ms / 1000).toFixed(1)} s`

/** The checkout's commit, or null where it is no git work tree (e.g. a `git archive` extract). */
function gitCommit(dir) {
  try {
    // stderr ignored: outside a work tree git's "fatal: not a git repository" went to our output
    const args = ['-C', dir, 'rev-parse', '--short=12', 'HEAD']
    return execFileSync('git', args, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim()
  } catch {
    return null
  }
}

async function main() {
  const opts = parseArgs(process.argv.slice(2))
  const checkout = resolve(opts.checkout)
  const runDir = resolve(checkout, opts.dir ?? '.')
  if (!existsSync(runDir)) usage(`${runDir} does not exist`)
  const vitest = checkoutVitest(runDir)
  const poolPkg = installPool(vitest.dir)
  const name = basename(checkout) + (opts.dir ? `-${opts.dir.replaceAll('/', '-')}` : '')
  const out = resolve(opts.out ?? join(tmpdir(), 'compare-suite', name))
  rmSync(out, { recursive: true, force: true })
  mkdirSync(out, { recursive: true })
  const node = opts.node ?? process.execPath
  const timeoutMs = opts.timeoutMin * 60_000
  const common = [...(opts.config ? ['--config', opts.config] : []), ...opts.projects.flatMap(p => ['--project', p]), ...opts.extra]
  const reporters = side => ['--reporter=default', '--reporter=json', `--outputFile.json=${join(out, `${side}.json`)}`]
  const memoryReport = join(out, 'memory-report.json')

  console.log(`compare-suite: ${name} @ ${gitCommit(checkout) ?? '?'}, Vitest ${vitest.version}, node ${node}`)
  // --pool=forks also reaches projects that set no pool; --keep-pool runs the config untouched.
  const baseline = opts.keepPool ? 'config' : (opts.pool ?? 'forks')
  const forksArgs = [join(vitest.dir, 'vitest.mjs'), 'run', ...common, ...(opts.keepPool ? [] : [`--pool=${baseline}`]), ...reporters('forks')]
  console.log(`  ${baseline} …`)
  const forks = await runOnce({ node, args: forksArgs, cwd: runDir, logPath: join(out, 'forks.log'), timeoutMs })
  const poolArgs = [
    join(poolPkg, 'dist/cli/main.js'),
    'run',
    ...common,
    ...(opts.pool ? ['--pool', opts.pool] : []),
    ...reporters('pool'),
    '--memory-report',
    memoryReport,
    '--memory-journal',
    join(out, 'journal.jsonl'),
    '--no-memory-history',
  ]
  console.log('  vitest-memory …')
  const pool = await runOnce({ node, args: poolArgs, cwd: runDir, logPath: join(out, 'pool.log'), timeoutMs })

  const forksJson = readJson(join(out, 'forks.json'), runDir)
  const poolJson = readJson(join(out, 'pool.json'), runDir)
  const report = existsSync(memoryReport) ? JSON.parse(readFileSync(memoryReport, 'utf8')) : null
  const problems = []
  for (const [side, run, json, log] of [
    [baseline, forks, forksJson, 'forks'],
    ['vitest-memory', pool, poolJson, 'pool'],
  ]) {
    if (run.hung) problems.push(`${side}: HUNG — killed after ${opts.timeoutMin} min (see ${log}.log)`)
    else if (!json) problems.push(`${side}: no json results (exit ${run.code ?? run.signal})`)
  }
  const summary = {
    name,
    checkout,
    dir: opts.dir ?? null,
    commit: gitCommit(checkout),
    vitestVersion: vitest.version,
    args: common,
    baselinePool: baseline,
    forks: { exit: forks.code, signal: forks.signal, hung: forks.hung, wallMs: Math.round(forks.wallMs), counts: forksJson?.counts ?? null },
    pool: { exit: pool.code, signal: pool.signal, hung: pool.hung, wallMs: Math.round(pool.wallMs), counts: poolJson?.counts ?? null },
    wallRatio: +(pool.wallMs / forks.wallMs).toFixed(2),
    problems,
  }
  if (forksJson && poolJson) {
    summary.countsEqual = JSON.stringify(forksJson.counts) === JSON.stringify(poolJson.counts)
    summary.stateDiffs = diffStates(forksJson.files, poolJson.files)
    summary.statesEqual = summary.stateDiffs.length === 0
    summary.testDiffs = diffStates(forksJson.tests, poolJson.tests).slice(0, 50)
    summary.unmeasured = unmeasured(poolJson.files, report, runDir)
    summary.heaviest = heaviest(report)
    summary.measuredFiles = report?.files.filter(f => f.peakRssBytes != null).length ?? 0
    if (!summary.countsEqual) problems.push('test counts differ')
    if (!summary.statesEqual) problems.push(`${summary.stateDiffs.length} file state(s) differ`)
    if (forks.code !== pool.code) problems.push(`exit codes differ: ${baseline} ${forks.code}, vitest-memory ${pool.code}`)
  }
  writeFileSync(join(out, 'summary.json'), `${JSON.stringify(summary, null, 2)}\n`)

  const c = summary.forks.counts
  const p = summary.pool.counts
  const fmt = x => (x ? `${x.files} files, ${x.tests} tests: ${x.passed} passed, ${x.failed} failed, ${x.skipped} skipped, ${x.todo} todo` : 'no results')
  const lines = [
    `  ${`${baseline}:`.padEnd(15)}${fmt(c)}; exit ${forks.code ?? forks.signal}; ${sec(forks.wallMs)}${forks.hung ? ' (HUNG)' : ''}`,
    `  vitest-memory: ${fmt(p)}; exit ${pool.code ?? pool.signal}; ${sec(pool.wallMs)}${pool.hung ? ' (HUNG)' : ''}`,
    `  wall ratio pool/${baseline}: ${summary.wallRatio}`,
  ]
  if (summary.countsEqual !== undefined) {
    lines.push(
      `  counts equal: ${summary.countsEqual ? 'yes' : 'NO'}; per-file states equal: ${summary.statesEqual ? 'yes' : `NO (${summary.stateDiffs.length})`}`,
    )
    for (const d of summary.stateDiffs.slice(0, 20)) lines.push(`    ${d.file}: ${baseline} ${d.forks}, vitest-memory ${d.pool}`)
    for (const d of summary.testDiffs.slice(0, 20)) lines.push(`    test ${d.file}: ${baseline} ${d.forks}, vitest-memory ${d.pool}`)
    lines.push(
      `  measured: ${summary.measuredFiles} report entries; heaviest: ${summary.heaviest ? `${summary.heaviest.file} [${summary.heaviest.project}] ${mb(summary.heaviest.peak)}` : 'none'}`,
    )
    if (summary.unmeasured.length) {
      lines.push(`  unmeasured: ${summary.unmeasured.length} file(s)`)
      for (const u of summary.unmeasured.slice(0, 20)) lines.push(`    ${u.file} (${u.measured}/${u.runs} runs measured): ${u.why}`)
    }
  }
  for (const problem of problems) lines.push(`  DIFFERENCE: ${problem}`)
  lines.push(`  results: ${out}/ (forks.log, pool.log, forks.json, pool.json, memory-report.json, summary.json)`)
  console.log(lines.join('\n'))
  process.exitCode = problems.length ? 1 : 0
}

await main()
