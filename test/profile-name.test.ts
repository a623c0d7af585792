// Heap profiles of different test files land in one flat folder: their names must never meet.
import fc from 'fast-check'
import { describe, expect, test } from 'vitest'
import { profileFileName } from '../src/profile/profile-name.js'

describe('profileFileName', () => {
  test('test/x__y.test.ts and test__x/y.test.ts keep their own profiles', () => {
    expect(profileFileName('', 'test/x__y.test.ts')).not.toBe(profileFileName('', 'test__x/y.test.ts'))
    expect(profileFileName('', 'a b.test.ts')).not.toBe(profileFileName('', 'a_b.test.ts'))
    // A project's file and a plain file that flatten alike.
    expect(profileFileName('x', 'y.test.ts')).not.toBe(profileFileName('', 'x/y.test.ts'))
  })

  test('a plain path stays readable: folders joined by __, no hash', () => {
    expect(profileFileName('', 'test/heavy.test.ts')).toBe('test__heavy.test.ts.heapprofile')
    expect(profileFileName('', 'catalog.test.ts')).toBe('catalog.test.ts.heapprofile')
    expect(profileFileName('web', 'test/x_y.test.ts')).toMatch(/^web__test__x_y\.test\.ts~[0-9a-f]{12}\.heapprofile$/)
  })

  test('property: two different (project, file) pairs never share a name', () => {
    const part = fc.stringMatching(/^[a-z_ .-]{1,4}$/)
    const path = fc.array(part, { minLength: 1, maxLength: 3 }).map(parts => parts.join('/'))
    const pair = fc.tuple(fc.constantFrom('', 'x', 'x_y', 'x y'), path)
    fc.assert(
      fc.property(pair, pair, ([p1, f1], [p2, f2]) => {
        fc.pre(p1 !== p2 || f1 !== f2)
        expect(profileFileName(p1, f1)).not.toBe(profileFileName(p2, f2))
      }),
      { numRuns: 2000 },
    )
  })
})
