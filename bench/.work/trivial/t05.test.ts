import { expect, test } from 'vitest'

test('trivial 5', () => {
  expect(5 + 1).toBe(6)
})
