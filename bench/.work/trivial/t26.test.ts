import { expect, test } from 'vitest'

test('trivial 26', () => {
  expect(26 + 1).toBe(27)
})
