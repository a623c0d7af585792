// The fallback way to find a file's subprocesses (kernels without /proc/<pid>/task/*/children):
// a parent map kept from /proc, which remembers a process's parent even after it was re-parented.
import { spawn } from 'node:child_process'
import { afterEach, expect, test } from 'vitest'
import { ProcessTable } from '../src/measure/process-table.js'
import { listDescendants, THREAD_RESCAN_MS, ThreadScan } from '../src/measure/descendants.js'

const children: ReturnType<typeof spawn>[] = []
afterEach(() => {
  for (const child of children.splice(0)) child.kill('SIGKILL')
})

/** A child that starts a grandchild and prints the grandchild's pid. */
async function spawnTree(): Promise<{ child: number; grandchild: number }> {
  const child = spawn(process.execPath, [
    '-e',
    `
    const { spawn } = require('node:child_process')
    const g = spawn(process.execPath, ['-e', 'setTimeout(() => {}, 30000)'], { stdio: 'ignore' })
    process.stdout.write(String(g.pid))
    process.on('SIGTERM', () => { g.kill('SIGKILL'); process.exit(0) })
    setTimeout(() => {}, 30000)
  `,
  ])
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

test("a sampler's scan reads the main thread's children each time, a worker thread's at each rescan", async () => {
  // A process whose main thread starts one subprocess and whose worker thread starts another.
  const parent = spawn(process.execPath, [
    '-e',
    `
    const { spawn } = require('node:child_process')
    const { Worker } = require('node:worker_threads')
    const hold = ['-e', 'setTimeout(() => {}, 30000)']
    const main = spawn(process.execPath, hold, { stdio: 'ignore' })
    const worker = new Worker("const { spawn } = require('node:child_process'); const c = spawn(process.execPath, ['-e', 'setTimeout(() => {}, 30000)'], { stdio: 'ignore' }); require('node:worker_threads').parentPort.postMessage(c.pid); setTimeout(() => {}, 30000)", { eval: true })
    worker.once('message', pid => process.stdout.write(main.pid + ' ' + pid))
    process.on('SIGTERM', () => process.exit(0))
  `,
  ])
  children.push(parent)
  const [viaMain, viaWorker] = (await new Promise<string>(resolve => parent.stdout.once('data', d => resolve(String(d))))).split(' ').map(Number)
  try {
    // everything, at once, without a scan (a tree being killed)
    expect(listDescendants(parent.pid!)).toEqual(expect.arrayContaining([viaMain, viaWorker]))
    const scan = new ThreadScan()
    expect(listDescendants(parent.pid!, scan, 1000)).toEqual(expect.arrayContaining([viaMain, viaWorker]))
    // before the next rescan, the worker thread's child is what the last rescan found
    scan.viaOtherThreads = []
    expect(listDescendants(parent.pid!, scan, 1000 + THREAD_RESCAN_MS - 1)).toEqual([viaMain])
    expect(listDescendants(parent.pid!, scan, 1000 + THREAD_RESCAN_MS)).toEqual(expect.arrayContaining([viaMain, viaWorker]))
  } finally {
    for (const pid of [viaMain, viaWorker]) process.kill(pid, 'SIGKILL')
  }
})
