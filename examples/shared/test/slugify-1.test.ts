import { expect, test } from 'vitest'
import { slugify } from '../src/slugify.js'

test('slugifies title 1', () => {
  expect(slugify('Hello World 1!')).toBe('hello-world-1')
})
