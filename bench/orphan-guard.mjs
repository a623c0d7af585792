// What the orphan guard (src/pool/orphan-guard.ts) costs a test process start: forks a process
// (detached, IPC, as the pool forks its children) that answers once it runs, N times with the
// guard listing it and N times without, alternating; prints the medians of fork → first message.
// Also the guard's own start (once per runner). `npm run build` first; ROUNDS=40 by default.
import { fork } from 'node:child_process'
import { performance } from 'node:perf_hooks'
import { guardAgainstOrphans } from '../dist/pool/orphan-guard.js'

const ROUNDS = Number(process.env.ROUNDS ?? 40)
const CHILD = ['-e', 'process.send("up", () => process.exit(0))']

function start(guarded) {
  return new Promise(done => {
    const t0 = performance.now()
    const child = fork(CHILD[1], [], { execArgv: ['-e', CHILD[1]], detached: true, stdio: 'pipe', serialization: 'advanced' })
    let registeredMs = 0
    if (guarded) {
      const r0 = performance.now()
      guardAgainstOrphans(child)
      registeredMs = performance.now() - r0
    }
    child.once('message', () => {
      const up = performance.now() - t0
      child.once('exit', () => done({ up, registeredMs }))
    })
  })
}

const median = values => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)]

// The first guarded start also spawns the guard: its registration call is the guard's start.
const first = await start(true)
const withGuard = []
const without = []
const registration = []
for (let i = 0; i < ROUNDS; i++) {
  const order = i % 2 ? [true, false] : [false, true]
  for (const guarded of order) {
    const { up, registeredMs } = await start(guarded)
    ;(guarded ? withGuard : without).push(up)
    if (guarded) registration.push(registeredMs)
  }
}
console.log(
  JSON.stringify({
    rounds: ROUNDS,
    startMedianMsWithout: +median(without).toFixed(2),
    startMedianMsWith: +median(withGuard).toFixed(2),
    registrationMedianMs: +median(registration).toFixed(4),
    guardSpawnMs: +first.registeredMs.toFixed(2),
  }),
)
