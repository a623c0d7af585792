import { defineConfig } from 'vitest/config'

// Every e2e file runs twice: against this package's Vitest 4.1 on the current Node, and against
// compat/vitest5's Vitest 5 on its Node 22 (see test/helpers.ts, TARGET).
export default defineConfig({
  test: {
    exclude: ['test/fixtures/**', '**/node_modules/**'],
    testTimeout: 60_000,
    hookTimeout: 60_000,
    globalSetup: ['test/global-setup.ts'],
    projects: [
      { extends: true, test: { name: 'vitest-4', include: ['test/**/*.test.ts'], env: { E2E_VITEST: '4' } } },
      { extends: true, test: { name: 'vitest-5', include: ['test/**/*.e2e.test.ts'], env: { E2E_VITEST: '5' } } },
    ],
  },
})
