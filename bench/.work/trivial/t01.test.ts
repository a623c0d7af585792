import { expect, test } from 'vitest'

test('trivial 1', () => {
  expect(1 + 1).toBe(2)
})
