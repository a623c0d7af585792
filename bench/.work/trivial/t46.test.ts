import { expect, test } from 'vitest'

test('trivial 46', () => {
  expect(46 + 1).toBe(47)
})
