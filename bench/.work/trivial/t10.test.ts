import { expect, test } from 'vitest'

test('trivial 10', () => {
  expect(10 + 1).toBe(11)
})
