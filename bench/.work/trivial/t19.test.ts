import { expect, test } from 'vitest'

test('trivial 19', () => {
  expect(19 + 1).toBe(20)
})
