// Where the test process finds Vitest's TestRunner class to wrap for per-test peaks: the chunk the
// worker entry itself imports (so taking it after the worker costs nothing), else the main entry.
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join, resolve } from 'node:path'
import { fileURLToPath } from 'node:url'
import { afterAll, describe, expect, test } from 'vitest'
import { reexportOf, testRunnerSource } from '../src/vitest-internals/runner-class.js'
import { COMPAT_V5 } from './targets.js'

const ROOT = resolve(import.meta.dirname, '..')

describe('reexportOf', () => {
  test('finds the local name and module of a re-export among others', () => {
    const source = `export { N as BenchmarkRunner, S as Snapshots, T as TestRunner, a as assert } from './chunks/test.abc.js';\nexport { b as bench } from './chunks/benchmark.js';`
    expect(reexportOf(source, 'TestRunner')).toEqual({ name: 'T', from: './chunks/test.abc.js' })
    expect(reexportOf(source, 'bench')).toEqual({ name: 'b', from: './chunks/benchmark.js' })
  })

  test('an export under its own name, or from a package, or absent: not a chunk re-export', () => {
    expect(reexportOf(`export { TestRunner } from "./runner.js"`, 'TestRunner')).toEqual({ name: 'TestRunner', from: './runner.js' })
    expect(reexportOf(`export { TestRunner } from '@vitest/runner'`, 'TestRunner')).toBeNull()
    expect(reexportOf(`export class TestRunner {}`, 'TestRunner')).toBeNull()
    expect(reexportOf(`export { MyTestRunner } from './x.js'`, 'TestRunner')).toBeNull()
  })
})

describe('testRunnerSource', () => {
  const installed = [
    ['Vitest 4 (this package)', join(ROOT, 'node_modules/vitest')],
    ['Vitest 5 (compat/vitest5)', join(COMPAT_V5, 'node_modules/vitest')],
  ] as const
  for (const [name, dir] of installed) {
    test(`${name}: the worker's own chunk, whose export is the TestRunner class`, async () => {
      const source = testRunnerSource(join(dir, 'dist/workers/forks.js'))
      expect(source?.loadedByWorker).toBe(true)
      expect(fileURLToPath(source!.url)).toMatch(/\/dist\/chunks\/[^/]+\.js$/)
      const module = (await import(source!.url)) as Record<string, { name?: string; prototype?: Record<string, unknown> }>
      const runner = module[source!.exportName]
      expect(runner?.name).toBe('TestRunner')
      expect(typeof runner?.prototype?.onBeforeTryTask).toBe('function')
    })
  }

  const scratch = mkdtempSync(join(tmpdir(), 'vitest-memory-runner-source-'))
  afterAll(() => rmSync(scratch, { recursive: true, force: true }))

  function fakeVitest(name: string, index: string, worker: string): string {
    const dir = join(scratch, name, 'node_modules/vitest')
    mkdirSync(join(dir, 'dist/workers'), { recursive: true })
    writeFileSync(
      join(dir, 'package.json'),
      JSON.stringify({ name: 'vitest', exports: { '.': { import: { types: './dist/index.d.ts', default: './dist/index.js' } } } }),
    )
    writeFileSync(join(dir, 'dist/index.js'), index)
    writeFileSync(join(dir, 'dist/workers/forks.js'), worker)
    return join(dir, 'dist/workers/forks.js')
  }

  test('a chunk the worker entry does not import: the main entry, imported before the worker', () => {
    const entry = fakeVitest('not-imported', `export { T as TestRunner } from './chunks/test.js'`, `import '../chunks/other.js'`)
    const source = testRunnerSource(entry)
    expect(source).toEqual({ url: expect.stringMatching(/\/dist\/index\.js$/), exportName: 'TestRunner', loadedByWorker: false })
  })

  test('a class the main entry defines itself: the main entry', () => {
    const entry = fakeVitest('defined', `export class TestRunner {}`, `import '../chunks/test.js'`)
    expect(testRunnerSource(entry)?.loadedByWorker).toBe(false)
  })

  test('double quotes in the worker entry count too', () => {
    const entry = fakeVitest('quotes', `export { T as TestRunner } from "./chunks/test.x1.js"`, `import "../chunks/test.x1.js";`)
    expect(testRunnerSource(entry)).toMatchObject({ exportName: 'T', loadedByWorker: true })
  })

  test('a main entry that cannot be read: none (the process still runs, without per-test figures)', () => {
    const entry = fakeVitest('unreadable', '', '')
    rmSync(join(entry, '../../index.js'))
    expect(testRunnerSource(entry)).toBeNull()
  })

  test('no vitest package above the entry: none', () => {
    const lone = join(scratch, 'lone/forks.js')
    mkdirSync(join(scratch, 'lone'), { recursive: true })
    writeFileSync(lone, '')
    expect(testRunnerSource(lone)).toBeNull()
  })
})
