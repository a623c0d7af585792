import { defineConfig } from 'vitest/config'
import { memoryPool } from 'vitest-memory'

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    // Files share one process, as with Vitest's own pool without isolation: fast for many small
    // files. Each file still gets its own peak and what it left behind after a GC (named from 50 MB).
    isolate: false,
    pool: memoryPool(),
  },
})
