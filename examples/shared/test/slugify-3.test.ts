import { expect, test } from 'vitest'
import { slugify } from '../src/slugify.js'

test('slugifies title 3', () => {
  expect(slugify('Hello World 3!')).toBe('hello-world-3')
})
