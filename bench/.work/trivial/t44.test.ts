import { expect, test } from 'vitest'

test('trivial 44', () => {
  expect(44 + 1).toBe(45)
})
