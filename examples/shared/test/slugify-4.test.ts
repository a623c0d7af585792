import { expect, test } from 'vitest'
import { slugify } from '../src/slugify.js'

test('slugifies title 4', () => {
  expect(slugify('Hello World 4!')).toBe('hello-world-4')
})
