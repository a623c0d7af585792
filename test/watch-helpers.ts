// Vitest in watch mode for the e2e tests: spawned with its output collected, killed after each
// test (call killWatchers from afterEach), and a poll that names what it waited for on timeout.
import { type ChildProcess, spawn } from 'node:child_process'
import { TARGET } from './helpers.js'

export interface WatchedVitest {
  child: ChildProcess
  /** stdout and stderr so far, interleaved as they arrived. */
  readonly output: string
}

const started: number[] = []

/** `vitest watch` in dir; CI is removed from env, since with CI set Vitest would not watch. */
export function startWatch(dir: string, env: NodeJS.ProcessEnv): WatchedVitest {
  const { CI: _ci, ...watchEnv } = env
  const child = spawn(TARGET.node, [TARGET.vitest, 'watch'], { cwd: dir, env: watchEnv, stdio: ['pipe', 'pipe', 'pipe'] })
  started.push(child.pid!)
  let output = ''
  child.stdout.on('data', chunk => {
    output += chunk
  })
  child.stderr.on('data', chunk => {
    output += chunk
  })
  return {
    child,
    get output() {
      return output
    },
  }
}

export function killWatchers(): void {
  for (const pid of started.splice(0)) {
    try {
      process.kill(pid, 'SIGKILL')
    } catch {}
  }
}

/** Polls probe until it gives a value; on timeout the error carries the output so far. */
export async function until<T>(what: string, probe: () => T | undefined | false, output: () => string, timeoutMs = 45_000): Promise<T> {
  const deadline = Date.now() + timeoutMs
  for (;;) {
    const value = probe()
    if (value) return value
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}; output so far:\n${output()}`)
    await new Promise(resolve => setTimeout(resolve, 50))
  }
}
