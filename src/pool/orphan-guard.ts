// The runner's own dead man's switch, outside every test process. A test process hears its runner
// die when its IPC channel closes (child.ts), but only once its event loop turns: one busy in
// synchronous code (`while (true) {}`) would outlive a SIGKILLed runner for as long as it spins,
// and grow. So the runner keeps one tiny shell process beside it, in its own session, which holds
// the process groups of the live test processes (each leads its own: kill-tree.ts) and reads them
// from a pipe only the runner writes. When the runner dies, for whatever reason, the kernel closes
// that pipe; the shell reads end-of-file and SIGKILLs every group still listed, which takes the
// spinning process and what it started (in its group) down at once.
//
// Why not a parent-death signal (prctl PR_SET_PDEATHSIG through util-linux `setpriv`): it is
// Linux-only, needs `setpriv` installed, and kills the test process alone, leaving its subprocesses
// to init; the shell works wherever there is a POSIX `sh` (Linux, macOS) and kills the groups.
// Why not a watcher thread inside each test process: a worker thread costs every test process
// memory and start-up time in the very figures the tool measures.
//
// Cost: one `sh` (≈1–2 MB) per runner, started with its first test process; per test process one
// short line written to a pipe at its start and one at its exit (docs/benchmarks.md).
// Not covered: a subprocess that left its group (setsid) and Windows (no process groups, no `sh`;
// there the channel-close switch in child.ts is all there is).
import { spawn, type ChildProcess } from 'node:child_process'
import { existsSync } from 'node:fs'

/** The shell the guard runs in; absent (Windows, a stripped image): no guard, the child's own switch remains. */
const SHELL = '/bin/sh'

/**
 * `+ PID` lists a group, `- PID` removes it (its process exited: its pid may be reused, and a reused
 * pid's group is someone else's). At end-of-file every group still listed is killed, and the leader
 * by pid too (it may have left its group).
 */
const GUARD_SCRIPT = `pids=' '
while read -r op pid; do
  case $op in
    +) pids="$pids$pid " ;;
    -) case $pids in *" $pid "*) pids="\${pids%% $pid *} \${pids#* $pid }" ;; esac ;;
  esac
done
for pid in $pids; do kill -s KILL -- "-$pid" 2>/dev/null; kill -s KILL -- "$pid" 2>/dev/null; done`

/** Off for a benchmark of what the guard costs (VITEST_MEMORY_ORPHAN_GUARD=0); on otherwise. */
const ENABLED = process.platform !== 'win32' && process.env.VITEST_MEMORY_ORPHAN_GUARD !== '0' && existsSync(SHELL)

let guard: ChildProcess | null | undefined

function guardProcess(): ChildProcess | null {
  if (guard !== undefined) return guard
  if (!ENABLED) {
    guard = null
    return guard
  }
  try {
    // Its own session (detached): a Ctrl-C or a kill of the runner's process group does not take
    // it down before it has done its work. No environment: it runs shell builtins only.
    const started = spawn(SHELL, ['-c', GUARD_SCRIPT], { stdio: ['pipe', 'ignore', 'ignore'], detached: true, env: {} })
    started.on('error', () => {
      guard = null
    })
    started.on('exit', () => {
      guard = null
    })
    started.stdin!.on('error', () => {
      guard = null
    })
    // Neither the guard nor its pipe keeps the runner alive; the runner's exit closes the pipe.
    started.unref()
    ;(started.stdin as unknown as { unref?: () => void }).unref?.()
    guard = started
  } catch {
    guard = null
  }
  return guard
}

/** Lists a test process (a group leader) with the guard until it exits. */
export function guardAgainstOrphans(child: ChildProcess): void {
  const pid = child.pid
  if (pid === undefined) return
  const watcher = guardProcess()
  if (!watcher?.stdin?.writable) return
  watcher.stdin.write(`+ ${pid}\n`)
  child.once('exit', () => {
    if (guard === watcher && watcher.stdin?.writable) watcher.stdin.write(`- ${pid}\n`)
  })
}
