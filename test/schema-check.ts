// Checks the JSON files a test run wrote against the schemas in schema/, more strictly than the
// readers do: a field the writer adds without documenting it in the schema is an error here
// (readers accept unknown fields, so that a newer writer's additions do not break them).
import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import AjvModule, { type ValidateFunction } from 'ajv'

export type SchemaName = 'report' | 'history' | 'journal-entry' | 'shard-plan'

const SCHEMA_DIR = join(import.meta.dirname, '..', 'schema')
const NAMES: SchemaName[] = ['report', 'history', 'journal-entry', 'shard-plan']

type Schema = Record<string, unknown> & { properties?: Record<string, unknown>; allOf?: Schema[]; then?: Schema; additionalProperties?: unknown }

/** Every object schema that lists its properties allows no others (if/then branches see their parent's). */
export function strict(schema: unknown, inherited: Record<string, unknown> = {}): unknown {
  if (Array.isArray(schema)) return schema.map(s => strict(s))
  if (typeof schema !== 'object' || schema === null) return schema
  const out: Schema = {}
  for (const [key, value] of Object.entries(schema)) out[key] = key === 'allOf' || key === 'then' || key === 'if' ? value : strict(value)
  if (out.allOf) {
    const names = Object.fromEntries(Object.keys(out.properties ?? {}).map(k => [k, {}]))
    // biome-ignore lint/suspicious/noThenProperty: JSON Schema's if/then keyword, not a thenable
    out.allOf = out.allOf.map(branch => ({ ...branch, ...(branch.then ? { then: strict(branch.then, names) } : {}) }))
  } else if (out.properties && out.additionalProperties === undefined) {
    out.properties = { ...inherited, ...out.properties }
    out.additionalProperties = false
  }
  return out
}

let validators: Map<SchemaName, ValidateFunction> | undefined

function validator(name: SchemaName): ValidateFunction {
  if (!validators) {
    const ajv = new AjvModule.default({ allErrors: true, strict: true, strictTypes: false })
    ajv.addFormat('date-time', { type: 'string', validate: (s: string) => !Number.isNaN(Date.parse(s)) })
    for (const n of NAMES) ajv.addSchema(strict(JSON.parse(readFileSync(join(SCHEMA_DIR, `${n}.schema.json`), 'utf8'))) as object)
    validators = new Map(NAMES.map(n => [n, ajv.getSchema(`vitest-memory/schema/${n}.json`)!]))
  }
  return validators.get(name)!
}

/** Every problem of `data` against the strict schema, one per line; empty when it fits. */
export function schemaErrors(name: SchemaName, data: unknown): string[] {
  const validate = validator(name)
  if (validate(data)) return []
  return (validate.errors ?? []).map(
    e => `${e.instancePath || '/'} ${e.message}${e.params && 'additionalProperty' in e.params ? ` (${String(e.params.additionalProperty)})` : ''}`,
  )
}

/** Throws with every problem when a written file does not fit its schema. */
export function assertFitsSchema(name: SchemaName, data: unknown, what: string): void {
  const errors = schemaErrors(name, data)
  if (errors.length > 0) throw new Error(`${what} does not fit schema/${name}.schema.json:\n  ${errors.slice(0, 20).join('\n  ')}`)
}

/** Checks each complete line of a journal; a last line cut short (no newline yet) is skipped. */
export function assertJournalFitsSchema(text: string, what: string): void {
  const lines = text.split('\n')
  lines.pop()
  lines.forEach((line, i) => {
    if (line.trim()) assertFitsSchema('journal-entry', JSON.parse(line), `${what} line ${i + 1}`)
  })
}
