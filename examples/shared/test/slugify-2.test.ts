import { expect, test } from 'vitest'
import { slugify } from '../src/slugify.js'

test('slugifies title 2', () => {
  expect(slugify('Hello World 2!')).toBe('hello-world-2')
})
