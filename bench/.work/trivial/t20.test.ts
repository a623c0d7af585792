import { expect, test } from 'vitest'

test('trivial 20', () => {
  expect(20 + 1).toBe(21)
})
