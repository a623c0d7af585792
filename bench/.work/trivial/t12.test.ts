import { expect, test } from 'vitest'

test('trivial 12', () => {
  expect(12 + 1).toBe(13)
})
