// Runs the real thing: the vitest-memory CLI (or plain vitest) on a fixture project.
import { spawn } from 'node:child_process'
import { existsSync, mkdtempSync, readFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join, resolve } from 'node:path'
import type { MemoryReport } from '../src/record/report.js'

export const ROOT = resolve(import.meta.dirname, '..')
export const CLI = join(ROOT, 'dist/cli/main.js')
export const VITEST = join(ROOT, 'node_modules/vitest/vitest.mjs')
export const MiB = 1024 * 1024

export interface RunResult {
  code: number | null
  signal: NodeJS.Signals | null
  stdout: string
  stderr: string
  output: string
  reportPath: string
  report: MemoryReport | null
}

export function fixture(name: string): string {
  return join(ROOT, 'test/fixtures', name)
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

export function run(
  command: 'cli' | 'vitest',
  fixtureName: string,
  args: string[],
  options: { env?: Record<string, string>, report?: boolean, timeoutMs?: number } = {},
): Promise<RunResult> {
  const reportPath = join(mkdtempSync(join(tmpdir(), 'vm-report-')), 'report.json')
  const entry = command === 'cli' ? CLI : VITEST
  const reportArgs = command === 'cli' && options.report !== false ? ['--memory-report', reportPath] : []
  const env = cleanEnv(command === 'vitest' ? { VITEST_MEMORY_REPORT: reportPath, ...options.env } : options.env)
  return new Promise((done, fail) => {
    const child = spawn(process.execPath, [entry, ...args, ...reportArgs], { cwd: fixture(fixtureName), env })
    let stdout = ''
    let stderr = ''
    let output = ''
    child.stdout.on('data', (chunk) => { stdout += chunk; output += chunk })
    child.stderr.on('data', (chunk) => { stderr += chunk; output += chunk })
    const timer = setTimeout(() => child.kill('SIGKILL'), options.timeoutMs ?? 60_000)
    child.on('error', fail)
    child.on('close', (code, signal) => {
      clearTimeout(timer)
      const report = existsSync(reportPath) ? JSON.parse(readFileSync(reportPath, 'utf8')) as MemoryReport : null
      done({ code, signal, stdout, stderr, output, reportPath, report })
    })
  })
}

export function fileEntry(result: RunResult, file: string) {
  const entry = result.report?.files.find(f => f.file === file)
  if (!entry) throw new Error(`no entry for ${file} in the report:\n${result.output}`)
  return entry
}
