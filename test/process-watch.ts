// Watches a runner from outside, as a CI machine would feel it: the summed RSS of every process
// below the runner (its test processes and their subprocesses), sampled every few milliseconds.
import { spawn } from 'node:child_process'
import { readdirSync, readFileSync } from 'node:fs'
import { listDescendants } from '../src/measure/descendants.js'
import { readProcessMemory } from '../src/measure/procfs.js'
import { CLI, cleanEnv, fixture, TARGET } from './helpers.js'

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
  /** The same with the runner's own RSS added: what the job's memory holds. */
  peakWithRunnerBytes: number
}

export function runWatched(fixtureName: string, args: string[], env: Record<string, string> = {}, intervalMs = 10): Promise<WatchedRun> {
  return new Promise((done, fail) => {
    const child = spawn(TARGET.node, [CLI, ...args], { cwd: fixture(fixtureName), env: cleanEnv(env) })
    let output = ''
    let peak = 0
    let withRunner = 0
    child.stdout.on('data', d => {
      output += d
    })
    child.stderr.on('data', d => {
      output += d
    })
    const timer = setInterval(() => {
      const sum = listDescendants(child.pid!).reduce((total, pid) => total + (readProcessMemory(pid)?.rssBytes ?? 0), 0)
      if (sum > peak) peak = sum
      const total = sum + (readProcessMemory(child.pid!)?.rssBytes ?? 0)
      if (total > withRunner) withRunner = total
    }, intervalMs)
    child.on('error', fail)
    child.on('close', code => {
      clearInterval(timer)
      done({ code, output, peakBelowRunnerBytes: peak, peakWithRunnerBytes: withRunner })
    })
  })
}
