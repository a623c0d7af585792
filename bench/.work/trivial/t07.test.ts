import { expect, test } from 'vitest'

test('trivial 7', () => {
  expect(7 + 1).toBe(8)
})
