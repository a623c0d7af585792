import { expect, test } from 'vitest'

test('trivial 11', () => {
  expect(11 + 1).toBe(12)
})
