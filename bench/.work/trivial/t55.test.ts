import { expect, test } from 'vitest'

test('trivial 55', () => {
  expect(55 + 1).toBe(56)
})
