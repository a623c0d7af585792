import { defineConfig } from 'vitest/config'

export default defineConfig({
  test: {
    // Each folder has its own vitest.config.ts: under plain `vitest` they would not get a root
    // `pool`; the vitest-memory CLI gives memoryPool() to every project that names none.
    projects: ['packages/*'],
  },
})
