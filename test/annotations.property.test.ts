// Generated `// @memory-budget` / `// @memory-limit` comments (fast-check): whatever a test file
// says, reading its comments gives a finite positive size (or none) or one line that names the
// file and the comment — never a stack, never another error. The pool turns that line into a
// failed file (test/bad-annotation.e2e.test.ts).
import fc from 'fast-check'
import { expect, test } from 'vitest'
import { UsageError } from '../src/errors.js'
import { parseAnnotations } from '../src/policy/annotations.js'

const RUNS = Number(process.env.FC_RUNS ?? 300)
fc.configureGlobal({ seed: Number(process.env.FC_SEED ?? 20261207) })

const FILE = 'test/some dir/a.test.ts'

/** Values a user (or a corrupted file) might write after the tag. */
const value = fc.oneof(
  fc.constantFrom(
    'garbage',
    '0',
    '0MB',
    '-1GB',
    '1e400GB',
    '５MB',
    'NaN',
    'InfinityGB',
    '1.5.5GB',
    '100%',
    '101%',
    '0%',
    '1e-9B',
    '512mb',
    '2GiB',
    '0x10MB',
    '1_000MB',
    'MB',
    '\u0000',
    '1GB\u001b[31m',
  ),
  fc
    .tuple(fc.double({ noNaN: false }), fc.constantFrom('', 'B', 'KB', 'MB', 'GB', 'TB', 'KiB', 'MiB', 'GiB', '%', 'mb', 'Gb', 'XB'))
    .map(([n, unit]) => `${n}${unit}`),
  fc.string({ unit: 'grapheme', minLength: 1, maxLength: 12 }),
  fc.string({ unit: 'binary', minLength: 1, maxLength: 12 }),
)
const tag = fc.constantFrom('memory-budget', 'memory-limit')
const form = fc.constantFrom(
  (t: string, v: string) => `// @${t} ${v}`,
  (t: string, v: string) => `/** @${t} ${v} */`,
  (t: string, v: string) => `/*\n * @${t} ${v}\n */`,
)

test('a comment annotation is a finite positive size, none, or one line naming the file and the comment', () => {
  fc.assert(
    fc.property(tag, value, form, fc.boolean(), (name, text, write, both) => {
      const source = [
        write(name, text),
        both ? write(name === 'memory-budget' ? 'memory-limit' : 'memory-budget', text) : '',
        "import { test } from 'vitest'",
      ].join('\n')
      let annotations: ReturnType<typeof parseAnnotations>
      try {
        annotations = parseAnnotations(source, FILE)
      } catch (error) {
        expect(error).toBeInstanceOf(UsageError)
        const message = (error as Error).message
        expect(message.split('\n')).toHaveLength(1)
        expect(message).toContain(FILE)
        expect(message).toMatch(/@memory-(budget|limit)/)
        return
      }
      for (const bytes of [annotations.budgetBytes, annotations.limitBytes]) {
        if (bytes !== null) {
          expect(Number.isFinite(bytes)).toBe(true)
          expect(bytes).toBeGreaterThan(0)
        }
      }
    }),
    { numRuns: RUNS },
  )
})
