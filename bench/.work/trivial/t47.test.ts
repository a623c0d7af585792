import { expect, test } from 'vitest'

test('trivial 47', () => {
  expect(47 + 1).toBe(48)
})
