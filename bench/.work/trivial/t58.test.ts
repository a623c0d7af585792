import { expect, test } from 'vitest'

test('trivial 58', () => {
  expect(58 + 1).toBe(59)
})
