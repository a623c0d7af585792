// Watches a runner from outside, as a CI machine would feel it: the summed RSS of every process
// below the runner (its test processes and their subprocesses), sampled every few milliseconds.
import { spawn } from 'node:child_process'
import { readdirSync, readFileSync } from 'node:fs'
import { CLI, cleanEnv, fixture, TARGET } from './helpers.js'

function parentOf(pid: number): number | null {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8')
    return Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1])
  } catch {
    return null
  }
}

function rssOf(pid: number): number {
  try {
    const match = /^VmRSS:\s+(\d+) kB/m.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))
    return match ? Number(match[1]) * 1024 : 0
  } catch {
    return 0
  }
}

/** Pids below `root`, not counting root itself. */
export function descendants(root: number): number[] {
  const parents = new Map<number, number>()
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue
    const ppid = parentOf(Number(entry))
    if (ppid !== null) parents.set(Number(entry), ppid)
  }
  const found: number[] = []
  const stack = [root]
  while (stack.length) {
    const pid = stack.pop()!
    for (const [child, parent] of parents) if (parent === pid) { found.push(child); stack.push(child) }
  }
  return found
}

/** Pids whose environment carries `marker` (set on a run so its processes can be found afterwards). */
export function processesMarked(marker: string): number[] {
  const found: number[] = []
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry) || Number(entry) === process.pid) continue
    try {
      if (readFileSync(`/proc/${entry}/environ`, 'utf8').includes(marker)) found.push(Number(entry))
    } catch {
      // gone, or not ours to read
    }
  }
  return found
}

export interface WatchedRun {
  code: number | null
  output: string
  /** Highest summed RSS of the runner's descendants seen from outside. */
  peakBelowRunnerBytes: number
}

export function runWatched(fixtureName: string, args: string[], env: Record<string, string> = {}, intervalMs = 10): Promise<WatchedRun> {
  return new Promise((done, fail) => {
    const child = spawn(TARGET.node, [CLI, ...args], { cwd: fixture(fixtureName), env: cleanEnv(env) })
    let output = ''
    let peak = 0
    child.stdout.on('data', (d) => { output += d })
    child.stderr.on('data', (d) => { output += d })
    const timer = setInterval(() => {
      const sum = descendants(child.pid!).reduce((total, pid) => total + rssOf(pid), 0)
      if (sum > peak) peak = sum
    }, intervalMs)
    child.on('error', fail)
    child.on('close', (code) => {
      clearInterval(timer)
      done({ code, output, peakBelowRunnerBytes: peak })
    })
  })
}
