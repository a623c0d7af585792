import { expect, test } from 'vitest'

test('trivial 40', () => {
  expect(40 + 1).toBe(41)
})
