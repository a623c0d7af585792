// A shared process (isolate: false) may run Vitest's batch of files whole, as Vitest's own forks
// pool does, instead of one request per file: each request is a round trip between the runner
// and the process (and a copy of the whole serialized config), which on a suite of hundreds of
// small files cost more than the per-file measurement itself. The process then reports where
// each file starts and ends (runner-hooks.ts), and the pool measures each file from those
// messages while the next file already runs.
//
// The pool splits the batch instead whenever it must act between two files: admission under
// --max-memory (a file waits for memory), recycling (a process is replaced between files), a
// heap profile per file, or a project runner the boundaries cannot be read from.
import type { ChildFilePeak } from './child-state.js'
import type { OwnPeak } from '../measure/self.js'

/** Set on a `run` request the process is to run whole. */
export const BATCH_MARK = '__vitest_memory_batch__'
/** Key of the messages a process running a batch sends at each file boundary. */
export const FILE_BOUNDARY_KEY = '__vitest_memory_file__'

export type FileBoundary =
  | { type: 'start', file: string }
  | { type: 'end', file: string, vitestMemory: OwnPeak & ChildFilePeak }

export interface FileBoundaryMessage {
  [FILE_BOUNDARY_KEY]: FileBoundary
}

export function fileBoundary(message: unknown): FileBoundary | null {
  const boundary = (message as Partial<FileBoundaryMessage> | null)?.[FILE_BOUNDARY_KEY]
  return boundary && typeof boundary === 'object' ? boundary : null
}

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
