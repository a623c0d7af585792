import { expect, test } from 'vitest'

test('trivial 53', () => {
  expect(53 + 1).toBe(54)
})
