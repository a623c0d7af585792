import { expect, test } from 'vitest'

test('trivial 8', () => {
  expect(8 + 1).toBe(9)
})
