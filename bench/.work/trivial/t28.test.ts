import { expect, test } from 'vitest'

test('trivial 28', () => {
  expect(28 + 1).toBe(29)
})
