// Every message between the pool and a test file's process, in one place: the name Vitest knows
// the pool by, Vitest's worker requests and responses as the pool and the child read them, and
// the marks vitest-memory adds on the same IPC channel (a batch run whole, a file's boundaries, a
// test's start, the file's figures on `testfileFinished`). Loaded in the child too (bundled):
// types from elsewhere only.
import type { LateRetained } from '../measure/shared-file.js'
import type { OwnPeak } from '../measure/self.js'
import type { ChildFilePeak } from './child-state.js'

/** The pool's name: the initializer's `name`, every PoolWorker's `name`, a project's `pool`. */
export const POOL_NAME = 'vitest-memory'

// ---- Vitest's worker protocol (public pool API: `__vitest_worker_request__` / `__vitest_worker_response__`) ----

/** A response of Vitest's worker (`started`, `stopped`, `testfileFinished`), or one the pool answers itself. */
export const response = (body: Record<string, unknown>) => ({ __vitest_worker_response__: true, ...body })

/** Whether a message is Vitest's worker response of this type (any type when none is given). */
export function isWorkerResponse(message: any, type?: string): boolean {
  return Boolean(message?.__vitest_worker_response__) && (type === undefined || message.type === type)
}

/** Whether a message is Vitest's request to its worker, of one of these types. */
export function isWorkerRequest(message: any, ...types: string[]): boolean {
  return Boolean(message?.__vitest_worker_request__) && types.includes(message.type)
}

/** What the child adds to Vitest's `testfileFinished` (and to a batch file's `end`): the file's figures. */
export type FileFigures = OwnPeak & ChildFilePeak

// ---- A shared process running a batch whole (batch.ts) ----

/** Set on a `run` request the process is to run whole. */
export const BATCH_MARK = '__vitest_memory_batch__'
/** Key of the messages a process running a batch sends at each file boundary. */
export const FILE_BOUNDARY_KEY = '__vitest_memory_file__'

export type FileBoundary = { type: 'start'; file: string } | { type: 'end'; file: string; vitestMemory: FileFigures }

export interface FileBoundaryMessage {
  [FILE_BOUNDARY_KEY]: FileBoundary
}

export function fileBoundary(message: unknown): FileBoundary | null {
  const boundary = (message as Partial<FileBoundaryMessage> | null)?.[FILE_BOUNDARY_KEY]
  return boundary && typeof boundary === 'object' ? boundary : null
}

// ---- A test's start ----

// Which test a file's process is running, told to the pool the moment the test starts. Vitest's
// own task update says so too, but its worker throttles updates (100 ms) and can hold a test's
// start until the next update, which a test killed at its limit or by the OOM killer never sends
// (the throttle's timer can fire a millisecond "early" by Date.now and then waits for another
// update). Without this, the pool could not tell Vitest which test was running when the process
// died: the error would land on the file and the test would show as skipped.
export const TEST_START_KEY = '__vitest_memory_test__'

/** In a test file's process: one small IPC message, written before the test's body runs. */
export function announceTestStart(testId: string): void {
  process.send?.({ [TEST_START_KEY]: testId })
}

/** In the pool: the id of the test a message says started, else null. */
export function startedTestOf(message: unknown): string | null {
  const id = (message as Record<string, unknown> | null)?.[TEST_START_KEY]
  return typeof id === 'string' ? id : null
}

// ---- vm mode: a file's measurement starts once its context is set up (vm-mode.ts) ----

/** Key of the message a vm process sends when a file's measurement starts (its context is set up). */
export const VM_FILE_START_KEY = '__vitest_memory_vm_file_start__'

/** In a vm process: the file's measurement starts now (the pool restarts its tree sampler). */
export function vmFileStart(): Record<string, unknown> {
  return { [VM_FILE_START_KEY]: true }
}

/** In the pool: whether a message says a vm file's measurement starts now. */
export function isVmFileStart(message: unknown): boolean {
  return (message as Record<string, unknown> | null)?.[VM_FILE_START_KEY] === true
}

/** Key of the message with what the previous vm file left (its GC waited for its context to go). */
export const VM_RETAINED_KEY = '__vitest_memory_vm_retained__'

export function vmRetained(late: LateRetained): Record<string, unknown> {
  return { [VM_RETAINED_KEY]: late }
}

export function vmRetainedOf(message: unknown): LateRetained | null {
  const late = (message as Record<string, unknown> | null)?.[VM_RETAINED_KEY]
  return late && typeof late === 'object' ? (late as LateRetained) : null
}

/**
 * Key of the pool's request to a vm process at the run's end: settle its last file now (no next
 * file will). The process answers with VM_SETTLED_KEY: what the file left, or false.
 */
const VM_SETTLE_KEY = '__vitest_memory_vm_settle__'
const VM_SETTLED_KEY = '__vitest_memory_vm_settled__'

export function vmSettleRequest(): Record<string, unknown> {
  return { [VM_SETTLE_KEY]: true }
}

export function isVmSettleRequest(message: unknown): boolean {
  return (message as Record<string, unknown> | null)?.[VM_SETTLE_KEY] === true
}

export function vmSettled(late: LateRetained | null): Record<string, unknown> {
  return { [VM_SETTLED_KEY]: late ?? false }
}

/** In the pool: the answer to a settle request (`late` null: no GC was due or no file waited), else null. */
export function vmSettledOf(message: unknown): { late: LateRetained | null } | null {
  const body = message as Record<string, unknown> | null
  if (!body || !(VM_SETTLED_KEY in body)) return null
  const late = body[VM_SETTLED_KEY]
  return { late: late && typeof late === 'object' ? (late as LateRetained) : null }
}

// ---- A memory verdict carried into Vitest's own state (verdict-link.ts) ----

export const JUDGE_MARK = '__vitest_memory_judge__'
const QUERY_KEY = '__vitest_memory_verdict_query__'
const REPLY_KEY = '__vitest_memory_verdict__'
const TREE_KEY = '__vitest_memory_tree__'

export interface SerializedVerdictError {
  name: string
  message: string
  stack: string
}

export type VerdictQuery =
  | { id: number; kind: 'file'; file: string; ownPeakRssBytes: number; startRssBytes: number | null }
  | { id: number; kind: 'test'; file: string; testId: string; startRssBytes: number; ownPeakRssBytes: number; budgetBytes: number }

export interface VerdictReply {
  id: number
  /** The highest tree RSS the pool saw for the file (or the test) so far. */
  treePeakRssBytes: number | null
  /** Fails the file (or the test) in Vitest. */
  error?: SerializedVerdictError
  /** Over its budget in warn mode: the test's annotation says so, the test passes. */
  warning?: string
}

export interface TreeNews {
  testId: string
  treeRssBytes: number
}

export function verdictQueryOf(message: unknown): VerdictQuery | null {
  const query = (message as Record<string, unknown> | null)?.[QUERY_KEY]
  return query && typeof query === 'object' ? (query as VerdictQuery) : null
}

export function verdictReply(reply: VerdictReply): Record<string, unknown> {
  return { [REPLY_KEY]: reply }
}

export function treeNews(news: TreeNews): Record<string, unknown> {
  return { [TREE_KEY]: news }
}

export function judgedFilesOf(message: unknown): string[] | null {
  const files = (message as Record<string, unknown> | null)?.[JUDGE_MARK]
  return Array.isArray(files) ? files.filter((f): f is string => typeof f === 'string') : null
}

export function verdictReplyOf(message: unknown): VerdictReply | undefined {
  return (message as Record<string, unknown> | null)?.[REPLY_KEY] as VerdictReply | undefined
}

export function treeNewsOf(message: unknown): TreeNews | undefined {
  return (message as Record<string, unknown> | null)?.[TREE_KEY] as TreeNews | undefined
}

/** A verdict query as the test process sends it. */
export function verdictQuery(query: VerdictQuery): Record<string, unknown> {
  return { [QUERY_KEY]: query }
}
