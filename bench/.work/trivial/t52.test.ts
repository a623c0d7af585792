import { expect, test } from 'vitest'

test('trivial 52', () => {
  expect(52 + 1).toBe(53)
})
