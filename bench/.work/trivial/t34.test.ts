import { expect, test } from 'vitest'

test('trivial 34', () => {
  expect(34 + 1).toBe(35)
})
