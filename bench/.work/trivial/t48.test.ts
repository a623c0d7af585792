import { expect, test } from 'vitest'

test('trivial 48', () => {
  expect(48 + 1).toBe(49)
})
