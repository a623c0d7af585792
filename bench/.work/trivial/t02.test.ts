import { expect, test } from 'vitest'

test('trivial 2', () => {
  expect(2 + 1).toBe(3)
})
