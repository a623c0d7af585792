import { defineConfig } from 'vitest/config'

// An old package that names the threads pool: vitest-memory runs it in its processes and says so.
export default defineConfig({ test: { name: 'legacy', pool: 'threads' } })
