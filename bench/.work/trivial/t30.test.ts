import { expect, test } from 'vitest'

test('trivial 30', () => {
  expect(30 + 1).toBe(31)
})
