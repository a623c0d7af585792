import { describe, expect, test } from 'vitest'
import { withMemoryBudget } from '../src/test.js'
import { TEST_BUDGET_META_KEY } from '../src/test-meta.js'

describe('withMemoryBudget', () => {
  test("puts the budget in bytes on the running test's meta and runs the test with its context", async () => {
    const seen: unknown[] = []
    const fn = withMemoryBudget('200MB', async ({ task }: { task: { meta: Record<string, unknown> } }) => {
      seen.push(task.meta[TEST_BUDGET_META_KEY])
      return 'done'
    })
    const context = { task: { meta: {} as Record<string, unknown> } }
    expect(await fn(context)).toBe('done')
    expect(seen).toEqual([200e6])
  })

  test("shows Vitest the test's own source, so fixtures it destructures are still found", () => {
    const original = ({ page }: { page: string }) => page
    expect(withMemoryBudget('1GB', original).toString()).toBe(original.toString())
    expect(withMemoryBudget('1GB', original)).toHaveLength(1)
  })

  test('a malformed size throws when the file is collected, saying how to write it', () => {
    expect(() => withMemoryBudget('200', () => {})).toThrow(/withMemoryBudget\(\).*write it with a unit/)
  })
})

// A real run with a fixture from test.extend: the budgeted test still receives its fixture.
// biome-ignore lint/correctness/noEmptyPattern: Vitest requires a fixture's first argument to be a destructuring pattern
test.extend<{ catalogue: string }>({ catalogue: async ({}, use) => use('fixture value') })(
  'a fixture reaches a budgeted test',
  withMemoryBudget('1GB', ({ catalogue }: { catalogue: string }) => {
    expect(catalogue).toBe('fixture value')
  }),
)
