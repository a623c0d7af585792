// The JSON Schemas of the files vitest-memory writes (schema/*.schema.json, shipped in the package)
// and the one validator every reader uses: a file from a CI cache or another machine is untrusted
// input, so it is checked against the same schema its writer documents before anything reads it.
import { readFileSync } from 'node:fs'
import AjvModule, { type ErrorObject, type ValidateFunction } from 'ajv'
import { schemaRef, type SchemaName } from '../schema-ref.js'

/** The schema document itself, as shipped in the package. */
export function loadSchema(name: SchemaName): Record<string, unknown> {
  return JSON.parse(readFileSync(new URL(`../../schema/${name}.schema.json`, import.meta.url), 'utf8')) as Record<string, unknown>
}

const NAMES: SchemaName[] = ['report', 'history', 'journal-entry', 'shard-plan']
const ISO_DATE = /^\d{4}-\d\d-\d\dT\d\d:\d\d(:\d\d(\.\d+)?)?(Z|[+-]\d\d:\d\d)$/

type Ajv = InstanceType<typeof AjvModule.default>
let ajv: Ajv | undefined
const compiled = new Map<string, ValidateFunction>()

/** Compiled once per process, on first use (each schema costs a few milliseconds). */
function validator(ref: string): ValidateFunction {
  let validate = compiled.get(ref)
  if (!validate) {
    if (!ajv) {
      ajv = new AjvModule.default({ verbose: true, strict: true, strictTypes: false })
      ajv.addFormat('date-time', { type: 'string', validate: (s: string) => ISO_DATE.test(s) && !Number.isNaN(Date.parse(s)) })
      for (const name of NAMES) ajv.addSchema(loadSchema(name))
    }
    validate = ref.includes('#') ? ajv.compile({ $ref: ref }) : ajv.getSchema(ref)!
    compiled.set(ref, validate)
  }
  return validate
}

/**
 * Checks `data` against a schema, or one of its definitions (`history#entry`); returns the first
 * problem as one human line ("runs[3].at must be a string (ISO date), got number"), or null.
 */
export function schemaProblem(name: SchemaName, data: unknown, definition?: string, at = ''): string | null {
  const validate = validator(definition ? `${schemaRef(name)}#/definitions/${definition}` : schemaRef(name))
  if (validate(data)) return null
  return describeError(pickError(validate.errors ?? []), at)
}

/** The most telling error: the deepest one that is not an if/then or oneOf wrapper. */
function pickError(errors: ErrorObject[]): ErrorObject {
  const real = errors.filter(e => e.keyword !== 'if' && e.keyword !== 'oneOf')
  const pool = real.length > 0 ? real : errors
  // oneOf [null, object] reports both branches: the object branch (deeper or "type object") says more.
  return pool.reduce((best, e) => (e.instancePath.length > best.instancePath.length ? e : best), pool[0])
}

function describeError(error: ErrorObject | undefined, at: string): string {
  if (!error) return `${at || 'the document'} does not fit the schema`
  const path = pointerToPath(error.instancePath, at)
  const where = path || 'the document'
  const schema = (error.parentSchema ?? {}) as { format?: string, type?: string | string[] }
  const got = describeValue(error.data)
  switch (error.keyword) {
    case 'type': {
      const types = ([] as string[]).concat(error.params.type as string | string[]).map(article)
      const iso = schema.format === 'date-time' ? ' (ISO date)' : ''
      return `${where} must be ${types.join(' or ')}${iso}, got ${got}`
    }
    case 'required': {
      const missing = String(error.params.missingProperty)
      return `${join(path, missing)} is missing`
    }
    case 'format': return `${where} must be an ISO date (2026-01-31T12:00:00.000Z), got ${got}`
    case 'const': return `${where} must be ${JSON.stringify(error.params.allowedValue)}, got ${got}`
    case 'enum': return `${where} must be one of ${(error.params.allowedValues as unknown[]).map(v => JSON.stringify(v)).join(', ')}, got ${got}`
    case 'minimum': case 'maximum': case 'exclusiveMinimum': case 'exclusiveMaximum':
      return `${where} must be ${error.params.comparison} ${error.params.limit}, got ${got}`
    case 'minLength': return `${where} must not be empty`
    case 'minItems': return `${where} must have at least ${error.params.limit} item${error.params.limit === 1 ? '' : 's'}`
    case 'pattern': return `${where} must match ${error.params.pattern}, got ${got}`
    default: return `${where} ${error.message ?? 'does not fit the schema'}`
  }
}

function article(type: string): string {
  switch (type) {
    case 'null': return 'null'
    case 'integer': return 'a whole number'
    case 'array': return 'an array'
    case 'object': return 'an object'
    default: return `a ${type}`
  }
}

/** "/entries/2/runs/0/at" → "entries[2].runs[0].at", after an optional prefix. */
function pointerToPath(pointer: string, prefix: string): string {
  let path = prefix
  for (const raw of pointer.split('/').slice(1)) {
    const part = raw.replace(/~1/g, '/').replace(/~0/g, '~')
    path = /^\d+$/.test(part) ? `${path}[${part}]` : join(path, part)
  }
  return path
}

function join(path: string, key: string): string {
  const name = /^[A-Za-z_$][\w$]*$/.test(key) ? key : JSON.stringify(key)
  return path ? `${path}.${name}` : name
}

/** A short, safe rendering of a bad value for a one-line message. */
export function describeValue(value: unknown): string {
  if (value === undefined) return 'nothing'
  if (value === null) return 'null'
  if (Array.isArray(value)) return 'an array'
  if (typeof value === 'object') return 'an object'
  if (typeof value === 'string') {
    const shown = JSON.stringify(value.length > 40 ? `${value.slice(0, 40)}…` : value)
    return `string ${shown}`
  }
  return `${typeof value} ${String(value)}`
}
