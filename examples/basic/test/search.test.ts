import { expect, test } from 'vitest'

function search(items: string[], query: string): string[] {
  const q = query.toLowerCase()
  return items.filter(item => item.toLowerCase().includes(q))
}

test('finds items case-insensitively', () => {
  expect(search(['Red shirt', 'Blue shirt', 'Red hat'], 'red')).toEqual(['Red shirt', 'Red hat'])
})

test('finds nothing for an unknown term', () => {
  expect(search(['Red shirt'], 'green')).toEqual([])
})
