import { expect, test } from 'vitest'

test('trivial 6', () => {
  expect(6 + 1).toBe(7)
})
