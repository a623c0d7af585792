import { expect, test } from 'vitest'

test('trivial 38', () => {
  expect(38 + 1).toBe(39)
})
