// A process named in a message (the heaviest one under a killed file): its pid and program stay
// readable wherever the program is installed; only its arguments are cut.
import { expect, test } from 'vitest'
import { commandText, COMMAND_TEXT_MAX } from '../src/measure/procfs.js'

test('the program by its base name, then the arguments, cut only past the width', () => {
  const deep = `/${'x'.repeat(150)}/node-v22.1.0-linux-x64/bin/node`
  expect(commandText([deep, '-e', 'const kept = []; for (;;) kept.push(Buffer.alloc(1e6))'])).toBe(
    'node -e const kept = []; for (;;) kept.push(Buffer.alloc(1e6))',
  )
  const long = commandText([deep, '-e', 'y'.repeat(200)])
  expect(long.startsWith('node -e yyy')).toBe(true)
  expect(long.endsWith('...')).toBe(true)
  expect(long.length).toBeLessThanOrEqual(COMMAND_TEXT_MAX)
  expect(commandText(['sleep'])).toBe('sleep')
  expect(commandText([])).toBe('?')
  // a program name longer than the width is kept whole
  expect(commandText(['z'.repeat(100), 'a'])).toBe(`${'z'.repeat(100)} ...`)
})
