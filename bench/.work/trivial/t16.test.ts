import { expect, test } from 'vitest'

test('trivial 16', () => {
  expect(16 + 1).toBe(17)
})
