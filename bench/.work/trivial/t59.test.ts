import { expect, test } from 'vitest'

test('trivial 59', () => {
  expect(59 + 1).toBe(60)
})
