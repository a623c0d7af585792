// The newcomer's door, walked as the README says: a project made by `npm init -y` (npm 11 writes
// "type": "commonjs", so Vite loads vitest.config.ts as CommonJS), Vitest and this package installed
// from a packed tarball with `npm i -D`, and the README's own vitest.config.ts. Nothing from this
// repository's node_modules is reachable from the project: it lives in the temp folder.
import { execFileSync, spawn } from 'node:child_process'
import { existsSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { dirname, join } from 'node:path'
import { beforeAll, describe, expect, test } from 'vitest'
import { cleanEnv, ROOT, TARGET, VITEST } from './helpers.js'

/** npm install from the local cache first: the tarball's dependencies and Vitest are already there from `npm ci`. */
const INSTALL_TIMEOUT_MS = 240_000

/** npm without the outer `npm test`'s npm_* variables, which would point it at this repository. */
function npmEnv(): NodeJS.ProcessEnv {
  const env = cleanEnv()
  for (const key of Object.keys(env)) if (key.toLowerCase().startsWith('npm_')) delete env[key]
  return env
}

function npm(cwd: string, args: string[]): string {
  return execFileSync(process.platform === 'win32' ? 'npm.cmd' : 'npm', args, { cwd, env: npmEnv(), encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] })
}

/** The README's `vitest.config.ts` block, exactly as a newcomer would copy it. */
function readmeConfig(): string {
  const match = /```ts\n(\/\/ vitest\.config\.ts\n[\s\S]*?)```/.exec(readFileSync(join(ROOT, 'README.md'), 'utf8'))
  if (!match) throw new Error('README.md has no ```ts block starting with // vitest.config.ts')
  return match[1]
}

interface Result {
  code: number | null
  stdout: string
  stderr: string
  output: string
}

function runIn(cwd: string, script: string, args: string[]): Promise<Result> {
  return new Promise((done, fail) => {
    const child = spawn(TARGET.node, [script, ...args], { cwd, env: cleanEnv() })
    let stdout = ''
    let stderr = ''
    child.stdout.on('data', chunk => {
      stdout += chunk
    })
    child.stderr.on('data', chunk => {
      stderr += chunk
    })
    child.on('error', fail)
    child.on('close', code => done({ code, stdout, stderr, output: stdout + stderr }))
  })
}

describe('a "type": "commonjs" project with the package installed from a tarball', () => {
  let project: string
  const vitestVersion = JSON.parse(readFileSync(join(dirname(VITEST), 'package.json'), 'utf8')).version as string

  beforeAll(() => {
    const dir = mkdtempSync(join(tmpdir(), 'vm-newcomer-'))
    // --ignore-scripts: `prepare` would rebuild dist/ under the tests that run from it; the test run built it.
    const [{ filename }] = JSON.parse(npm(ROOT, ['pack', '--json', '--ignore-scripts', '--pack-destination', dir])) as { filename: string }[]
    project = join(dir, 'app')
    mkdirSync(project)
    npm(project, ['init', '-y'])
    const manifest = JSON.parse(readFileSync(join(project, 'package.json'), 'utf8'))
    // npm 11 writes it; an older npm writes no "type", which means the same.
    expect(manifest.type ?? 'commonjs').toBe('commonjs')
    writeFileSync(join(project, 'package.json'), JSON.stringify({ ...manifest, type: 'commonjs' }, null, 2))
    npm(project, ['install', '-D', `vitest@${vitestVersion}`, `../${filename}`, '--prefer-offline', '--no-audit', '--no-fund'])

    writeFileSync(join(project, 'vitest.config.ts'), readmeConfig())
    mkdirSync(join(project, 'test'))
    writeFileSync(
      join(project, 'test/math.test.ts'),
      [
        "import { expect, test } from 'vitest'",
        "import { withMemoryBudget } from 'vitest-memory/test'",
        '',
        "test('adds', withMemoryBudget('200MB', () => { expect(1 + 1).toBe(2) }))",
        '',
      ].join('\n'),
    )
  }, INSTALL_TIMEOUT_MS)

  test("plain `vitest run` with the README's config loads it and prints the memory table", async () => {
    const result = await runIn(project, join(project, 'node_modules/vitest/vitest.mjs'), ['run'])
    expect(result.output).not.toContain('ESM only')
    expect(result.code, result.output).toBe(0)
    expect(result.stdout).toContain(`v${vitestVersion}`)
    expect(result.stdout).toContain('MEMORY  peak RSS per test file · budget 512 MB')
    expect(result.stdout).toMatch(/ {3}test\/math\.test\.ts +\d+(\.\d)? MB/)
    expect(result.stdout).toContain('1 file measured')
  })

  test("the installed CLI runs it too, and names its own version and the project's Vitest", async () => {
    const cli = join(project, 'node_modules/vitest-memory/dist/cli/main.js')
    const version = await runIn(project, cli, ['--version'])
    expect(version.code, version.output).toBe(0)
    const ours = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')).version
    expect(version.stdout).toBe(`vitest-memory ${ours} (vitest ${vitestVersion})\n`)

    const result = await runIn(project, cli, ['run', '--memory-budget', '256MB'])
    expect(result.code, result.output).toBe(0)
    expect(result.stdout).toContain('MEMORY  peak RSS per test file')
  })

  test('after the runs, git sees none of .vitest-memory/', () => {
    expect(existsSync(join(project, '.vitest-memory/report.json')), 'no run wrote its report').toBe(true)
    writeFileSync(join(project, '.gitignore'), 'node_modules/\n')
    execFileSync('git', ['init', '-q'], { cwd: project })
    const status = execFileSync('git', ['status', '--porcelain', '--untracked-files=all'], { cwd: project, encoding: 'utf8' })
    expect(status).toContain('vitest.config.ts')
    expect(status).not.toContain('.vitest-memory')
  })
})
