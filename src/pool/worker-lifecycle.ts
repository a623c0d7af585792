// The worker's lifecycle, explicit (as Vitest's PoolRunner keeps its RunnerState): one state, one
// function that moves it and refuses a move the table does not list, and a lock so that start and
// stop never interleave, nor two file requests. The process is started when a file is handed over
// (worker.ts's header says why), so the states past `started` are the process's, seen by the worker.
export const WorkerState = {
  /** Constructed; Vitest has not called start(). */
  Idle: 'idle',
  /** Vitest's start() is done; no process (none yet, or the last one died or was recycled). */
  Started: 'started',
  /** A process is booting (a spare or a fork), waiting to answer Vitest's start request. */
  Booting: 'booting',
  /** The process is up and runs no file of ours (between shared files, a collect request). */
  Ready: 'ready',
  /** A file was handed over: its time and peak are being measured. */
  Running: 'running',
  Stopping: 'stopping',
  /** For good: a stopped worker starts no process again. */
  Stopped: 'stopped',
} as const
export type WorkerState = (typeof WorkerState)[keyof typeof WorkerState]

const { Idle, Started, Booting, Ready, Running, Stopping, Stopped } = WorkerState

/** Every legal move. Back to `started`: the process died, failed to start or was recycled. */
const NEXT: Record<WorkerState, readonly WorkerState[]> = {
  [Idle]: [Started, Stopping],
  [Started]: [Booting, Stopping],
  [Booting]: [Ready, Started, Stopping],
  [Ready]: [Running, Started, Stopping],
  [Running]: [Ready, Started, Stopping],
  [Stopping]: [Stopped],
  [Stopped]: [],
}

export class IllegalTransition extends Error {
  constructor(from: WorkerState, to: WorkerState) {
    super(`vitest-memory: the pool worker cannot go from "${from}" to "${to}"`)
    this.name = 'IllegalTransition'
  }
}

export class WorkerLifecycle {
  private current: WorkerState = Idle
  /** start() or stop() in progress: the other waits for it. */
  private operation: Promise<void> | null = null
  /** The file request in flight: the next one waits for it. */
  private runs: Promise<unknown> = Promise.resolve()

  get state(): WorkerState {
    return this.current
  }

  /** Stopping or stopped: no process is started any more. */
  get closed(): boolean {
    return this.current === Stopping || this.current === Stopped
  }

  /** Whether the move is legal from here. */
  can(next: WorkerState): boolean {
    return NEXT[this.current].includes(next)
  }

  /** The one way to change the state; an illegal move throws (a bug of ours, never a user's). */
  to(next: WorkerState): void {
    if (!this.can(next)) throw new IllegalTransition(this.current, next)
    this.current = next
  }

  /** Runs start or stop alone: one waits for the other, as PoolRunner's operation lock does. */
  async exclusive(operation: () => Promise<void> | void): Promise<void> {
    while (this.operation) await this.operation
    const running = Promise.resolve().then(operation)
    this.operation = running.then(
      () => {},
      () => {},
    )
    try {
      await running
    } finally {
      this.operation = null
    }
  }

  /** File requests one at a time, in the order Vitest sent them. */
  queue<T>(run: () => Promise<T>): Promise<T> {
    const next = this.runs.then(run, run)
    this.runs = next.catch(() => {})
    return next
  }
}
