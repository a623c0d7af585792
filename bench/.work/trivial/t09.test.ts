import { expect, test } from 'vitest'

test('trivial 9', () => {
  expect(9 + 1).toBe(10)
})
