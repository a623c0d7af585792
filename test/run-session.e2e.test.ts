// One run, one resolution of its options: a fixture of four isolated files (a PoolWorker and a
// process each) resolves the project's options once per run, through the CLI or plain Vitest, and
// again (once) for a watch-mode rerun, which starts from a clean session. The count comes from
// the session's test hook (RESOLUTIONS_HOOK_ENV: end() appends the run's count).
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterEach, expect, test } from 'vitest'
import { RESOLUTIONS_HOOK_ENV } from '../src/run-session.js'
import { cleanEnv, copyFixture, run } from './helpers.js'
import { killWatchers, startWatch, until } from './watch-helpers.js'

const hookFile = () => join(mkdtempSync(join(tmpdir(), 'vm-resolutions-')), 'counts.txt')
const counts = (path: string) => (existsSync(path) ? readFileSync(path, 'utf8').trim().split('\n').filter(Boolean).map(Number) : [])

test('plain vitest: four isolated files, the options resolved once', async () => {
  const path = hookFile()
  const result = await run('vitest', 'session-files', ['run'], { env: { [RESOLUTIONS_HOOK_ENV]: path } })
  expect(result.code, result.output).toBe(0)
  expect(result.report?.files).toHaveLength(4)
  expect(counts(path)).toEqual([1])
})

test('the CLI: once for its own flags before the config loads, once for the project', async () => {
  const path = hookFile()
  const result = await run('cli', 'session-files', ['run'], { env: { [RESOLUTIONS_HOOK_ENV]: path } })
  expect(result.code, result.output).toBe(0)
  expect(result.report?.files).toHaveLength(4)
  expect(counts(path)).toEqual([2])
})

afterEach(killWatchers)

test('watch mode: a rerun resolves its options again, once, from a clean session', async () => {
  const dir = copyFixture('session-files')
  const path = hookFile()
  const env = cleanEnv({ [RESOLUTIONS_HOOK_ENV]: path, VITEST_MEMORY_REPORT: join(dir, 'report.json') })
  const watch = startWatch(dir, env)
  const output = () => watch.output
  await until('the first run', () => counts(path).length === 1, output)
  const report = () => JSON.parse(readFileSync(join(dir, 'report.json'), 'utf8')) as { files: { relativeFile: string }[] }
  expect(report().files).toHaveLength(4)
  writeFileSync(join(dir, 'a.test.ts'), `${readFileSync(join(dir, 'a.test.ts'), 'utf8')}\n// edited\n`)
  await until('the rerun', () => counts(path).length === 2, output)
  watch.child.kill('SIGKILL')
  expect(counts(path), output()).toEqual([1, 1])
}, 90_000)
