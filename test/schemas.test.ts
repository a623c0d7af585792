// The JSON Schemas in schema/: valid draft-07, shipped and exported by the package, strict enough
// in the tests to catch a field the writers add without documenting it.
import { createRequire } from 'node:module'
import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { describe, expect, test } from 'vitest'
import { loadSchema, schemaProblem } from '../src/record/schemas.js'
import { schemaRef } from '../src/schema-ref.js'
import { ROOT } from './helpers.js'
import { schemaErrors } from './schema-check.js'

const NAMES = ['report', 'history', 'journal-entry', 'shard-plan'] as const
const pkg = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8'))

describe('schema/', () => {
  test.each(NAMES)('%s: draft-07, exported under vitest-memory/schema/ and shipped', name => {
    const schema = loadSchema(name)
    expect(schema.$schema).toBe('http://json-schema.org/draft-07/schema#')
    expect(schema.$id).toBe(schemaRef(name))
    expect(pkg.exports[`./schema/${name}.json`]).toBe(`./schema/${name}.schema.json`)
    expect(pkg.files).toContain('schema')
    // What a user's script does with a file's "$schema": resolve it through the package's exports.
    const resolved = createRequire(join(ROOT, 'package.json')).resolve(schemaRef(name))
    expect(resolved).toBe(join(ROOT, 'schema', `${name}.schema.json`))
  })

  test('the strict check used on every file the e2e suite writes catches an undocumented field', () => {
    const history = {
      $schema: schemaRef('history'),
      schemaVersion: 1,
      entries: [
        { project: '', file: 'a.test.ts', runs: [{ at: '2026-11-20T08:00:00.000Z', peakRssBytes: 1, treePeakRssBytes: 1, durationMs: 1, state: 'pass' }] },
      ],
    }
    expect(schemaErrors('history', history)).toEqual([])
    expect(schemaProblem('history', history)).toBeNull()
    const extra = { ...history, entries: [{ ...history.entries[0], surprise: true }] }
    expect(schemaErrors('history', extra)).toEqual(['/entries/0 must NOT have additional properties (surprise)'])
    // The readers accept it: a newer writer may add fields within the same schemaVersion.
    expect(schemaProblem('history', extra)).toBeNull()
    const line = { t: 'sample', at: 5, file: 'a', pid: 1, rssBytes: 1, treeRssBytes: 1 }
    expect(schemaErrors('journal-entry', line)).toEqual([])
    expect(schemaErrors('journal-entry', { ...line, extra: 1 })).toContain('/ must NOT have additional properties (extra)')
    expect(schemaErrors('journal-entry', { t: 'from-the-future', at: 5 })).toEqual([])
  })
})
