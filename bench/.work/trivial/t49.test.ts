import { expect, test } from 'vitest'

test('trivial 49', () => {
  expect(49 + 1).toBe(50)
})
