import { expect, test } from 'vitest'

test('trivial 22', () => {
  expect(22 + 1).toBe(23)
})
