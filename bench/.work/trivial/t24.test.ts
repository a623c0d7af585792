import { expect, test } from 'vitest'

test('trivial 24', () => {
  expect(24 + 1).toBe(25)
})
