import { expect, test } from 'vitest'

test('trivial 45', () => {
  expect(45 + 1).toBe(46)
})
