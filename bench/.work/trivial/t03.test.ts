import { expect, test } from 'vitest'

test('trivial 3', () => {
  expect(3 + 1).toBe(4)
})
