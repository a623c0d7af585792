// The JSON Schemas of the files vitest-memory writes (schema/*.schema.json, shipped in the package)
// and the one validator every reader uses: a file from a CI cache or another machine is untrusted
// input, so it is checked against the same schema its writer documents before anything reads it.
import { readFileSync } from 'node:fs'
import * as validators from './schema-validators.js'
import { schemaRef, type SchemaName } from '../schema-ref.js'

/** The schema document itself, as shipped in the package. */
export function loadSchema(name: SchemaName): Record<string, unknown> {
  return JSON.parse(readFileSync(new URL(`../../schema/${name}.schema.json`, import.meta.url), 'utf8')) as Record<string, unknown>
}

/** What ajv's generated code reports (ajv's ErrorObject, with `verbose`: the value and its schema). */
interface ErrorObject {
  keyword: string
  instancePath: string
  params: Record<string, unknown>
  message?: string
  data?: unknown
  parentSchema?: unknown
}

interface ValidateFunction {
  (data: unknown): boolean
  errors?: ErrorObject[] | null
}

/**
 * Compiled at build time (scripts/compile-schemas.mjs, `npm run schemas`): ajv's standalone code
 * for each schema and the history's parts, so no schema compiler is loaded at run time.
 */
const VALIDATORS: Record<string, ValidateFunction> = {
  [schemaRef('report')]: validators.report,
  [schemaRef('history')]: validators.history,
  [`${schemaRef('history')}#/definitions/entry`]: validators.historyEntry,
  [`${schemaRef('history')}#/definitions/run`]: validators.historyRun,
  [schemaRef('journal-entry')]: validators.journalEntry,
  [schemaRef('shard-plan')]: validators.shardPlan,
}

function validator(ref: string): ValidateFunction {
  const validate = VALIDATORS[ref]
  if (!validate) throw new Error(`vitest-memory: no validator compiled for ${ref} (add it to scripts/compile-schemas.mjs)`)
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
  const schema = (error.parentSchema ?? {}) as { format?: string; type?: string | string[] }
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
    case 'format':
      return `${where} must be an ISO date (2026-01-31T12:00:00.000Z), got ${got}`
    case 'const':
      return `${where} must be ${JSON.stringify(error.params.allowedValue)}, got ${got}`
    case 'enum':
      return `${where} must be one of ${(error.params.allowedValues as unknown[]).map(v => JSON.stringify(v)).join(', ')}, got ${got}`
    case 'minimum':
    case 'maximum':
    case 'exclusiveMinimum':
    case 'exclusiveMaximum':
      return `${where} must be ${error.params.comparison} ${error.params.limit}, got ${got}`
    case 'minLength':
      return `${where} must not be empty`
    case 'minItems':
      return `${where} must have at least ${error.params.limit} item${error.params.limit === 1 ? '' : 's'}`
    case 'pattern':
      return `${where} must match ${error.params.pattern}, got ${got}`
    default:
      return `${where} ${error.message ?? 'does not fit the schema'}`
  }
}

function article(type: string): string {
  switch (type) {
    case 'null':
      return 'null'
    case 'integer':
      return 'a whole number'
    case 'array':
      return 'an array'
    case 'object':
      return 'an object'
    default:
      return `a ${type}`
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
