// `--merge-reports` in a project with no blob reports to merge: one line saying where it looked, exit 2.
import { expect, test } from 'vitest'
import { copyFixture, run } from './helpers.js'

test('`run --merge-reports` without .vitest-reports: one line, no raw ENOENT, no stack', async () => {
  const root = copyFixture('untrusted')
  const result = await run('cli', root, ['run', '--merge-reports'], { report: false })
  expect(result.code, result.output).toBe(2)
  expect(result.stderr.trim().split('\n'), result.stderr).toHaveLength(1)
  expect(result.stderr).toContain('.vitest-reports')
  expect(result.output).not.toMatch(/\n\s+at .*:\d+:\d+/)
})
