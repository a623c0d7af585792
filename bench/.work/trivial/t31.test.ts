import { expect, test } from 'vitest'

test('trivial 31', () => {
  expect(31 + 1).toBe(32)
})
