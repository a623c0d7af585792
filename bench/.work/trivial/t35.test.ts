import { expect, test } from 'vitest'

test('trivial 35', () => {
  expect(35 + 1).toBe(36)
})
