import { execFile } from 'node:child_process'
import { promisify } from 'node:util'
import { expect, test } from 'vitest'

// Stands in for an image converter the tests shell out to: a separate process holding ~200 MB.
const CONVERTER = `
  const frame = Buffer.alloc(200 * 1000 * 1000, 1)
  setTimeout(() => process.stdout.write(JSON.stringify({ bytes: frame.length })), 500)
`

test('renders thumbnails in a subprocess', async () => {
  const { stdout } = await promisify(execFile)(process.execPath, ['-e', CONVERTER])
  expect(JSON.parse(stdout)).toEqual({ bytes: 200_000_000 })
})
