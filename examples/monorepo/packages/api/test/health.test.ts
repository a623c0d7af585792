import { expect, test } from 'vitest'
import { parseRows } from '../src/rows.js'

test('parses one row', () => {
  expect(parseRows('1,ada,vip')).toEqual([{ id: 1, name: 'ada', tags: ['vip'] }])
})
