import { defineConfig } from 'vitest/config'

// An old package that runs on threads: vitest-memory leaves it alone and says so.
export default defineConfig({ test: { name: 'legacy', pool: 'threads' } })
