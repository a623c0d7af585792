import { expect, test } from 'vitest'

test('trivial 57', () => {
  expect(57 + 1).toBe(58)
})
