import { expect, test } from 'vitest'

test('trivial 21', () => {
  expect(21 + 1).toBe(22)
})
