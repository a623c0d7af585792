import { expect, test } from 'vitest'

test('trivial 37', () => {
  expect(37 + 1).toBe(38)
})
