import { expect, test } from 'vitest'

test('trivial 39', () => {
  expect(39 + 1).toBe(40)
})
