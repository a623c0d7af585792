import { expect, test } from 'vitest'

test('trivial 13', () => {
  expect(13 + 1).toBe(14)
})
