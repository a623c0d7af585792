import { expect, test } from 'vitest'

test('trivial 29', () => {
  expect(29 + 1).toBe(30)
})
