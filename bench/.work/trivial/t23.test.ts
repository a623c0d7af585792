import { expect, test } from 'vitest'

test('trivial 23', () => {
  expect(23 + 1).toBe(24)
})
