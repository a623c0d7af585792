import { defineConfig } from 'vitest/config'
import { memoryPool } from 'vitest-memory'

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    // Every test file runs in a fresh process whose exact peak memory is measured.
    pool: memoryPool({
      // The thumbnail tests shell out to a converter; give them more room than the rest.
      budgets: { 'test/thumbnails.test.ts': '400MB' },
    }),
  },
})
