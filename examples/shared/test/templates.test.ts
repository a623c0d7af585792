import { expect, test } from 'vitest'
import { compileTemplate } from '../src/templates.js'

test('compiles the mail templates', () => {
  for (const name of ['welcome', 'invoice', 'reminder']) expect(compileTemplate(name).length).toBeGreaterThan(0)
})
