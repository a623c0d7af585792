
import { defineConfig } from 'vitest/config'
import { memoryPool } from 'vitest-memory'

const pool = process.env.BENCH_POOL === 'forks' ? 'forks' : memoryPool()
export default defineConfig({ test: { pool, maxWorkers: Number(process.env.BENCH_WORKERS ?? 1), cache: false } })
