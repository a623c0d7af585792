// The `$schema` every file vitest-memory writes carries: its own module at the bottom floor, so
// any writer (a policy's plan, the journal, a report) stamps it without importing the validator.

export type SchemaName = 'report' | 'history' | 'journal-entry' | 'shard-plan'

/**
 * The `$schema` each written file carries: a package specifier, resolvable offline from the
 * project that installed vitest-memory (`import.meta.resolve(json.$schema)`).
 */
export function schemaRef(name: SchemaName): string {
  return `vitest-memory/schema/${name}.json`
}
