import { expect, test } from 'vitest'

test('trivial 18', () => {
  expect(18 + 1).toBe(19)
})
