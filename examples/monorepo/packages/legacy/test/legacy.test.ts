import { expect, test } from 'vitest'

test('still adds', () => {
  expect(1 + 1).toBe(2)
})
