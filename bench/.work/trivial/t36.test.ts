import { expect, test } from 'vitest'

test('trivial 36', () => {
  expect(36 + 1).toBe(37)
})
