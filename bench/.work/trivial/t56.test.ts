import { expect, test } from 'vitest'

test('trivial 56', () => {
  expect(56 + 1).toBe(57)
})
