// src/ has no import cycles (type-only imports count too): each module's dependencies point one way.
import { readdirSync, readFileSync, statSync } from 'node:fs'
import { dirname, join, relative, resolve } from 'node:path'
import { expect, test } from 'vitest'
import { ROOT } from './helpers.js'

function importGraph(root: string): Map<string, string[]> {
  const files: string[] = []
  const walk = (dir: string) => {
    for (const name of readdirSync(dir)) {
      const path = join(dir, name)
      if (statSync(path).isDirectory()) walk(path)
      else if (path.endsWith('.ts')) files.push(path)
    }
  }
  walk(root)
  const graph = new Map<string, string[]>()
  for (const file of files) {
    const source = readFileSync(file, 'utf8')
    const deps = [...source.matchAll(/(?:import|export)\s[^'"]*?from\s+'(\.[^']+)'/g)]
      .map(m => resolve(dirname(file), m[1].replace(/\.js$/, '.ts')))
      .filter(dep => files.includes(dep))
    graph.set(file, deps)
  }
  return graph
}

test('no import cycles in src/', () => {
  const root = join(ROOT, 'src')
  const graph = importGraph(root)
  const cycles: string[] = []
  const done = new Set<string>()
  const stack: string[] = []
  const visit = (file: string) => {
    stack.push(file)
    for (const dep of graph.get(file) ?? []) {
      const at = stack.indexOf(dep)
      if (at !== -1) cycles.push([...stack.slice(at), dep].map(f => relative(root, f)).join(' -> '))
      else if (!done.has(dep)) visit(dep)
    }
    stack.pop()
    done.add(file)
  }
  for (const file of graph.keys()) if (!done.has(file)) visit(file)
  expect(cycles).toEqual([])
})
