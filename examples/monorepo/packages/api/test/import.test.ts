import { expect, test } from 'vitest'
import { exportCsv, parseRows } from '../src/rows.js'

test('imports the full customer export', () => {
  const rows = parseRows(exportCsv(450_000))
  expect(rows).toHaveLength(450_000)
  expect(rows[449_999].tags).toContain('eu')
})
