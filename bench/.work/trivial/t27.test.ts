import { expect, test } from 'vitest'

test('trivial 27', () => {
  expect(27 + 1).toBe(28)
})
