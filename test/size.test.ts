import { describe, expect, test } from 'vitest'
import { formatBytes, parseSize } from '../src/size.js'

describe('parseSize', () => {
  test.each([
    ['512MB', 512e6],
    ['1.5GB', 1.5e9],
    ['800MiB', 800 * 1024 ** 2],
    ['2GiB', 2 * 1024 ** 3],
    ['64KB', 64e3],
    ['64KiB', 65536],
    ['1TB', 1e12],
    ['100B', 100],
    ['512mb', 512e6],
    [' 2 GB ', 2e9],
    ['1K', 1000],
    ['1Mi', 1024 ** 2],
  ])('%s is %d bytes', (input, bytes) => {
    expect(parseSize(input)).toBe(bytes)
  })

  test('rounds fractional bytes to the nearest byte', () => {
    expect(parseSize('1.5KiB')).toBe(1536)
    expect(parseSize('0.3333KB')).toBe(333)
    expect(parseSize('1.0000004KB')).toBe(1000)
  })

  test('percentages are of the total memory given', () => {
    expect(parseSize('25%', 'budget', 8e9)).toBe(2e9)
    expect(parseSize('12.5%', 'budget', 1000)).toBe(125)
  })

  test.each([
    ['512', /bare number has no unit.*"512MB"/],
    ['12XB', /unknown unit "XB".*e\.g\. "512MB"/],
    ['-1GB', /greater than zero/],
    ['0MB', /greater than zero/],
    ['', /Invalid budget ""/],
    ['lots', /Invalid budget "lots"/],
    ['150%', /at most 100%/],
    ['0.0001B', /rounds to zero/],
  ])('%j is rejected with a message that shows a valid size', (input, message) => {
    expect(() => parseSize(input, 'budget')).toThrow(message)
  })

  test('a number without a string is rejected too', () => {
    expect(() => parseSize(512 as unknown as string, 'budget')).toThrow(/bare number/)
  })
})

describe('formatBytes', () => {
  test.each([
    [999, '999 B'],
    [61_120_512, '61.1 MB'],
    [270_880_768, '271 MB'],
    [1_500_000_000, '1.50 GB'],
    [12_300_000_000, '12.3 GB'],
    [null, '—'],
  ])('%s → %s', (bytes, text) => {
    expect(formatBytes(bytes)).toBe(text)
  })
})
