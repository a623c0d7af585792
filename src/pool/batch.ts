// A shared process (isolate: false) may run Vitest's batch of files whole, as Vitest's own forks
// pool does, instead of one request per file: each request is a round trip between the runner
// and the process (and a copy of the whole serialized config), which on a suite of hundreds of
// small files cost more than the per-file measurement itself. The process then reports where
// each file starts and ends (runner-hooks.ts), and the pool measures each file from those
// messages while the next file already runs (the messages: protocol.ts).
//
// The pool splits the batch instead whenever it must act between two files: admission under
// --max-memory (a file waits for memory), recycling (a process is replaced between files), a
// heap profile per file, or a project runner the boundaries cannot be read from.

/** What decides whether a batch may run whole. */
export interface BatchConditions {
  shared: boolean
  requestType: string
  files: number
  /** --max-memory admission is on. */
  admission: boolean
  recycleAboveBytes: number | null
  heapProfile: boolean
  /** The project names its own `runner`: its tests are seen through setup-file hooks only. */
  customRunner: boolean
  /** vm mode: each request gets one vm context, so each file needs its own request. */
  vm?: boolean
}

export function runsWhole(c: BatchConditions): boolean {
  return c.shared && c.requestType === 'run' && c.files > 1 && !c.admission && c.recycleAboveBytes == null && !c.heapProfile && !c.customRunner && !c.vm
}
