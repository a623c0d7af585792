import { expect, test } from 'vitest'

test('trivial 14', () => {
  expect(14 + 1).toBe(15)
})
