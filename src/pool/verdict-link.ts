// The pool ↔ test process messages that carry a memory verdict into Vitest's own state:
// - a run request names the files that have a budget (JUDGE_MARK), so only those ask;
// - at such a file's end, before Vitest settles it, the process asks the pool (which samples the
//   process tree) whether the file is over; an error in the answer fails the file right there, so
//   Vitest's summary, junit, UI and `--bail` see a failed file like any other;
// - a test with withMemoryBudget() asks the same at its end (before Vitest decides on a retry);
// - while a test runs and its subprocesses hold memory, the pool tells the process the tree's
//   figure, so the test's own annotation includes what its subprocesses held.
// Every wait here is bounded: without an answer the process goes on, and the pool judges the file
// again when it ends (a verdict known only then still fails it). The messages themselves (marks,
// shapes, guards) are in protocol.ts; this module keeps the test process's side of the link.
import { judgedFilesOf, treeNewsOf, verdictQuery, verdictReplyOf, type VerdictQuery, type VerdictReply } from './protocol.js'

/**
 * How long a test process waits for the pool's verdict. The pool answers from its event loop in
 * about a millisecond; a main process stuck for seconds must not stall every file's end, and
 * the pool's own judgement at the file's end still catches the verdict.
 */
export const VERDICT_REPLY_TIMEOUT_MS = 2000

// ---- In the test process ----

interface ChildLink {
  nextId: number
  waiting: Map<number, (reply: VerdictReply | null) => void>
  judged: Set<string>
  /** The tree's highest figure the pool reported for each running test. */
  treeByTest: Map<string, number>
}

// Shared through globalThis: the injected setup file (a project's own runner) is another module instance.
const LINK_KEY = Symbol.for('vitest-memory.verdict-link')

function link(): ChildLink {
  const holder = globalThis as { [LINK_KEY]?: ChildLink }
  holder[LINK_KEY] ??= { nextId: 0, waiting: new Map(), judged: new Set(), treeByTest: new Map() }
  return holder[LINK_KEY]
}

/** The process's message listener calls this first; true when the message was the link's. */
export function receiveLinkMessage(message: unknown): boolean {
  const body = message as Record<string, unknown> | null
  if (!body || typeof body !== 'object') return false
  const judged = judgedFilesOf(body)
  if (judged) {
    link().judged = new Set(judged)
    return false // the request itself goes on to Vitest's worker
  }
  const reply = verdictReplyOf(body)
  if (reply) {
    const resolve = link().waiting.get(reply.id)
    link().waiting.delete(reply.id)
    resolve?.(reply)
    return true
  }
  const news = treeNewsOf(body)
  if (news) {
    const known = link().treeByTest.get(news.testId) ?? 0
    link().treeByTest.set(news.testId, Math.max(known, news.treeRssBytes))
    return true
  }
  return false
}

export function isJudged(file: string): boolean {
  return link().judged.has(file)
}

/** The tree figure the pool reported while the test ran (0 when none), forgotten once read. */
export function takeTreeFigure(testId: string): number {
  const figure = link().treeByTest.get(testId) ?? 0
  link().treeByTest.delete(testId)
  return figure
}

type QueryBody = VerdictQuery extends infer Q ? (Q extends { id: number } ? Omit<Q, 'id'> : never) : never

/** Asks the pool; resolves with its answer, or null when none came in time. */
export function askPool(query: QueryBody): Promise<VerdictReply | null> {
  const state = link()
  const id = ++state.nextId
  return new Promise(resolve => {
    const timer = setTimeout(() => {
      state.waiting.delete(id)
      resolve(null)
    }, VERDICT_REPLY_TIMEOUT_MS)
    timer.unref()
    state.waiting.set(id, reply => {
      clearTimeout(timer)
      resolve(reply)
    })
    // send() also returns false for a long backlog (still delivered): only a closed channel is final.
    if (!process.connected || (!process.send?.(verdictQuery({ ...query, id } as VerdictQuery)) && !process.connected)) {
      clearTimeout(timer)
      state.waiting.delete(id)
      resolve(null)
    }
  })
}
