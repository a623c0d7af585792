import { expect, test } from 'vitest'

test('trivial 0', () => {
  expect(0 + 1).toBe(1)
})
