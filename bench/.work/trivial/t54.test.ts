import { expect, test } from 'vitest'

test('trivial 54', () => {
  expect(54 + 1).toBe(55)
})
