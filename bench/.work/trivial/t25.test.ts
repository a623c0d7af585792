import { expect, test } from 'vitest'

test('trivial 25', () => {
  expect(25 + 1).toBe(26)
})
