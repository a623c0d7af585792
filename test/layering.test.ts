// src/ is layered (src/README.md): a module imports only from its own layer or the ones below,
// no two folders (or top-level modules) import each other, and no file imports itself round a
// cycle. Type-only imports are erased by the compiler, so they may point up a layer (a policy
// names the options' types); they still count for file cycles and for folders importing each other
// both ways.
import { join, relative, sep } from 'node:path'
import { describe, expect, test } from 'vitest'
import { ROOT } from './helpers.js'
import { fileCycles, importGraph, importsOf } from './import-graph.js'

/**
 * The allowed direction, bottom first: a folder of src/ by its name, a top-level module by its
 * file name without `.ts`. A value import may go to its own layer or any below it.
 */
const LAYERS: string[][] = [
  ['model', 'errors', 'env', 'size', 'numbers', 'state-dir', 'test-meta', 'schema-ref'],
  ['vitest-internals'],
  ['measure'],
  ['policy'],
  ['options', 'option-table', 'option-types', 'option-values', 'option-docs'],
  ['run-session'],
  ['record'],
  ['profile', 'schedule'],
  ['report'],
  ['pool'],
  ['reporter'],
  ['memory-pool', 'adopt', 'sequencer'],
  ['cli'],
  ['index', 'test'],
]

const SRC = join(ROOT, 'src')

/** The folder of src/ a file is in, or the top-level module it is. */
function unitOf(file: string): string {
  const [first, ...rest] = relative(SRC, file).split(sep)
  return rest.length ? first : first.replace(/\.ts$/, '')
}

function layerOf(unit: string): number {
  return LAYERS.findIndex(layer => layer.includes(unit))
}

const graph = importGraph(SRC)
const edges = [...graph].flatMap(([from, imports]) => imports.map(i => ({ from, ...i })))
const shown = (file: string) => relative(SRC, file)

describe('src/ layering', () => {
  test('every folder and top-level module of src/ has a layer', () => {
    const units = new Set([...graph.keys()].map(unitOf))
    expect([...units].filter(unit => layerOf(unit) === -1)).toEqual([])
  })

  test('no import cycles between files (type-only imports count too)', () => {
    expect(fileCycles(graph).map(cycle => cycle.map(shown).join(' -> '))).toEqual([])
  })

  test('no value import points up a layer', () => {
    const upward = edges.filter(e => !e.typeOnly && layerOf(unitOf(e.to)) > layerOf(unitOf(e.from))).map(e => `${shown(e.from)} -> ${shown(e.to)}`)
    expect(upward).toEqual([])
  })

  test('no two folders import each other with a value import either way', () => {
    const pairs = new Set(edges.filter(e => !e.typeOnly && unitOf(e.from) !== unitOf(e.to)).map(e => `${unitOf(e.from)} -> ${unitOf(e.to)}`))
    const both = [...pairs]
      .map(pair => pair.split(' -> '))
      .filter(([from, to]) => from < to && pairs.has(`${to} -> ${from}`))
      .map(([a, b]) => `${a} <-> ${b}`)
    expect(both).toEqual([])
  })
})

describe('the import reader', () => {
  test('sees every form of import, with either quote, and tells type-only ones apart', () => {
    const source = [
      `import { a } from './a.js'`,
      `import b from "./b.js"`,
      `import './side-effect.js'`,
      `import "./side-effect-double.js"`,
      `import type { C } from './c.js'`,
      `import { type D, type E } from './d.js'`,
      `import { f, type F } from './f.js'`,
      `import * as g from './g.js'`,
      `export { h } from './h.js'`,
      `export * from "./i.js"`,
      `export type { J } from './j.js'`,
      `const k = await import('./k.js')`,
      `const l = () => import("./l.js")`,
      `let m: typeof import('./m.js')`,
      `import pc from 'picocolors'`,
    ].join('\n')
    expect(importsOf(source)).toEqual([
      { specifier: './a.js', typeOnly: false },
      { specifier: './b.js', typeOnly: false },
      { specifier: './side-effect.js', typeOnly: false },
      { specifier: './side-effect-double.js', typeOnly: false },
      { specifier: './c.js', typeOnly: true },
      { specifier: './d.js', typeOnly: true },
      { specifier: './f.js', typeOnly: false },
      { specifier: './g.js', typeOnly: false },
      { specifier: './h.js', typeOnly: false },
      { specifier: './i.js', typeOnly: false },
      { specifier: './j.js', typeOnly: true },
      { specifier: './k.js', typeOnly: false },
      { specifier: './l.js', typeOnly: false },
      { specifier: './m.js', typeOnly: true },
      { specifier: 'picocolors', typeOnly: false },
    ])
  })

  test('ignores import-looking text in strings and comments', () => {
    expect(importsOf(`// import './a.js'\nconst s = "import('./b.js')"\n/* export * from './c.js' */`)).toEqual([])
  })

  test("leaves out an import() of a computed specifier (src/ loads Vitest's files that way)", () => {
    expect(importsOf('const x = await import(pathToFileURL(entry).href)\nawait import(`./y.js`)')).toEqual([{ specifier: './y.js', typeOnly: false }])
  })
})
