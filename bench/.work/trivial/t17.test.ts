import { expect, test } from 'vitest'

test('trivial 17', () => {
  expect(17 + 1).toBe(18)
})
