import { expect, test } from 'vitest'

test('trivial 51', () => {
  expect(51 + 1).toBe(52)
})
