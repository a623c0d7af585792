// Off Linux (no procfs) the pool cannot read a test process's memory from outside without
// spawning `ps`/`wmic` per sample: the process sends its own RSS over the IPC channel instead,
// and the pool's tree sampler records it as the root's reading (the tree is not counted there).
/** The key of the child's reading on the channel: the pool takes these; Vitest never sees them. */
export const SELF_READING_KEY = '__vitest_memory_rss__'

/** In the child: its RSS every `intervalMs`, until it exits (the timer never keeps it alive). */
export function startSelfReadings(send: (message: unknown) => boolean, intervalMs: number): void {
  const report = () => {
    try {
      send({ [SELF_READING_KEY]: process.memoryUsage.rss() })
    } catch {
      // the channel is closing: the process is going away
    }
  }
  report()
  setInterval(report, intervalMs).unref()
}

/** In the pool: the bytes a child reported, or null for any other message. */
export function selfReading(message: unknown): number | null {
  const value = (message as { [SELF_READING_KEY]?: unknown } | null)?.[SELF_READING_KEY]
  return typeof value === 'number' && Number.isFinite(value) && value >= 0 ? value : null
}
