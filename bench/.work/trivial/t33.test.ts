import { expect, test } from 'vitest'

test('trivial 33', () => {
  expect(33 + 1).toBe(34)
})
