import { expect, test } from 'vitest'

test('trivial 41', () => {
  expect(41 + 1).toBe(42)
})
