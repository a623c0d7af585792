import { expect, test } from 'vitest'

test('trivial 42', () => {
  expect(42 + 1).toBe(43)
})
