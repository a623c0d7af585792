import { expect, test } from 'vitest'

test('trivial 50', () => {
  expect(50 + 1).toBe(51)
})
