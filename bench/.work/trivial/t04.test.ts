import { expect, test } from 'vitest'

test('trivial 4', () => {
  expect(4 + 1).toBe(5)
})
