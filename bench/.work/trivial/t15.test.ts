import { expect, test } from 'vitest'

test('trivial 15', () => {
  expect(15 + 1).toBe(16)
})
