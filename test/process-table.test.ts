// The fallback way to find a file's subprocesses (kernels without /proc/<pid>/task/*/children):
// a parent map kept from /proc, which remembers a process's parent even after it was re-parented.
import { spawn } from 'node:child_process'
import { afterEach, expect, test } from 'vitest'
import { ProcessTable } from '../src/measure/process-table.js'
import { listDescendants } from '../src/measure/descendants.js'

const children: ReturnType<typeof spawn>[] = []
afterEach(() => {
  for (const child of children.splice(0)) child.kill('SIGKILL')
})

/** A child that starts a grandchild and prints the grandchild's pid. */
async function spawnTree(): Promise<{ child: number, grandchild: number }> {
  const child = spawn(process.execPath, ['-e', `
    const { spawn } = require('node:child_process')
    const g = spawn(process.execPath, ['-e', 'setTimeout(() => {}, 30000)'], { stdio: 'ignore' })
    process.stdout.write(String(g.pid))
    process.on('SIGTERM', () => { g.kill('SIGKILL'); process.exit(0) })
    setTimeout(() => {}, 30000)
  `])
  children.push(child)
  const grandchild = await new Promise<number>(resolve => child.stdout.once('data', d => resolve(Number(String(d)))))
  return { child: child.pid!, grandchild }
}

test('finds children and grandchildren, like the children files do', async () => {
  const { child, grandchild } = await spawnTree()
  const table = new ProcessTable()
  table.refresh()
  const found = table.descendantsOf(process.pid)
  expect(found).toEqual(expect.arrayContaining([child, grandchild]))
  expect(listDescendants(process.pid)).toEqual(expect.arrayContaining([child, grandchild]))
})

test('a grandchild whose parent died still counts for the process that started it', async () => {
  const { child, grandchild } = await spawnTree()
  const table = new ProcessTable()
  table.refresh()
  process.kill(child, 'SIGKILL') // the grandchild is re-parented to init, and lives on
  await new Promise(resolve => setTimeout(resolve, 100))
  table.refresh()
  expect(table.descendantsOf(process.pid)).toContain(grandchild)
  expect(table.descendantsOf(process.pid)).not.toContain(child)
  process.kill(grandchild, 'SIGKILL')
})
