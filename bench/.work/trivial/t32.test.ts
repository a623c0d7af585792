import { expect, test } from 'vitest'

test('trivial 32', () => {
  expect(32 + 1).toBe(33)
})
