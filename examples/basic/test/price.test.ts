import { describe, expect, test } from 'vitest'
import { applyDiscount, formatPrice } from '../src/price.js'

describe('prices', () => {
  test('formats cents as a currency', () => {
    expect(formatPrice(1999)).toBe('€19.99')
  })

  test('applies a discount', () => {
    expect(applyDiscount(1000, 25)).toBe(750)
  })

  test('refuses a discount over 100%', () => {
    expect(() => applyDiscount(1000, 120)).toThrow(RangeError)
  })
})
