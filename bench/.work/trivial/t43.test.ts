import { expect, test } from 'vitest'

test('trivial 43', () => {
  expect(43 + 1).toBe(44)
})
