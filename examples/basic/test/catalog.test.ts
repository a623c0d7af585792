import { expect, test } from 'vitest'
import { parseCatalog } from '../src/catalog.js'

test('imports the full catalogue', () => {
  const { products, index } = parseCatalog(50_000)
  expect(products).toHaveLength(50_000)
  expect(index.length).toBe(300_000_000)
})
