// Why did a test file's process die, and what should the user try? Pure: facts in, words out.
import { formatBytes, formatDuration } from '../size.js'
import type { CrashCause } from '../model.js'

/** What the pool knows when a file's process died before the file finished. */
export interface CrashFacts {
  /** The file, relative to the root. */
  file: string
  pid: number
  signal: NodeJS.Signals | null
  exitCode: number | null
  /** The highest RSS seen before death (the process's VmHWM, or the tree's sampled peak). */
  peakRssBytes: number | null
  durationMs: number
  /** The end of what the process wrote to stderr (V8 prints its heap-limit message there). */
  stderrTail: string
  /** Set when the pool itself killed the tree for going over its hard limit. */
  limitBreach: LimitBreach | null
  /** How many processes the kernel's OOM killer killed while the file ran, when known. */
  oomKillsWhileRunning: number | null
  /** The memory the machine (or its container) has. */
  machineMemoryBytes: number
  /** Set when the pool killed the process because it never finished starting: what it was doing. */
  startTimeout?: string | null
}

/** How the heaviest process is named when it is the test file's own. */
export const OWN_PROCESS = "the test file's own process"

export interface LimitBreach {
  treeRssBytes: number
  limitBytes: number
  /** "comment", "glob <pattern>" or "global". */
  limitSource: string
  afterMs: number
  /** "<pid> <command>" of the heaviest process in the tree ("<pid> the test file's own process" for the file's). */
  heaviest: string
}

export interface CrashVerdict {
  /** `killed` when the pool enforced a limit, `crash` for any other death. */
  state: 'crash' | 'killed'
  cause: CrashCause
  /** The likely cause, in plain words. */
  explanation: string
  /** What to try. */
  fix: string
}

const V8_HEAP_MESSAGE = /JavaScript heap out of memory|Reached heap limit|Ineffective mark-compacts near heap limit|FatalProcessOutOfMemory/
/** A SIGKILL with a peak above this share of the machine's memory is most likely the OOM killer. */
const OOM_SHARE = 0.5

export function classifyCrash(facts: CrashFacts): CrashVerdict {
  const peak = formatBytes(facts.peakRssBytes)
  if (facts.startTimeout) {
    return {
      state: 'crash',
      cause: 'start-timeout',
      explanation: `the test process ${facts.startTimeout}, so vitest-memory killed it rather than wait forever`,
      fix: "check the file's test environment and setup (a custom environment that never resolves, a blocking import); run it alone with `vitest-memory run <file>`, or raise memoryPool({ startTimeout }) if starting is just slow",
    }
  }
  if (facts.limitBreach) {
    const { limitBytes, limitSource } = facts.limitBreach
    return {
      state: 'killed',
      cause: 'memory-limit',
      explanation: `its process tree went over the hard memory limit of ${formatBytes(limitBytes)} (${limitSource})`,
      fix: `find what holds the memory (the heaviest process is named above), or raise the limit for this file with \`// @memory-limit SIZE\`, a \`limits\` glob or --memory-limit`,
    }
  }
  if (V8_HEAP_MESSAGE.test(facts.stderrTail)) {
    return {
      state: 'crash',
      cause: 'v8-heap',
      explanation: `V8 ran out of JavaScript heap ("heap out of memory" on stderr): its --max-old-space-size limit was reached, not the machine's memory (peak RSS ${peak})`,
      fix: "look for data the tests keep alive between tests, or give V8 more heap with `test.execArgv: ['--max-old-space-size=4096']` in the Vitest config (or NODE_OPTIONS)",
    }
  }
  if (facts.signal === 'SIGKILL') {
    const counted = facts.oomKillsWhileRunning != null && facts.oomKillsWhileRunning > 0
    const high = facts.peakRssBytes != null && facts.peakRssBytes >= facts.machineMemoryBytes * OOM_SHARE
    if (counted || high) {
      const evidence = counted
        ? 'the kernel counted an OOM kill while it ran'
        : `its peak of ${peak} is ${Math.round((facts.peakRssBytes! / facts.machineMemoryBytes) * 100)}% of the machine's ${formatBytes(facts.machineMemoryBytes)}`
      return {
        state: 'crash',
        cause: 'oom-killer',
        explanation: `the kernel's OOM killer: the machine ran out of memory (${evidence})`,
        fix: "set --memory-limit below the machine's memory so vitest-memory stops the file with a report, lower maxWorkers so fewer heavy files run at once, or reduce what this file holds",
      }
    }
    return {
      state: 'crash',
      cause: 'sigkill',
      explanation: `something outside the test killed it with SIGKILL (its peak of ${peak} was far from the machine's ${formatBytes(facts.machineMemoryBytes)} and no OOM kill was counted): a CI or container timeout, a container memory limit, or code that kills its own process`,
      fix: "check the CI job's timeout and the container's memory limit, and run this file alone with `vitest-memory run <file>`",
    }
  }
  if (facts.signal === 'SIGSEGV' || facts.signal === 'SIGBUS' || facts.signal === 'SIGILL' || facts.signal === 'SIGFPE') {
    return {
      state: 'crash',
      cause: 'native-crash',
      explanation: `a native crash (${facts.signal}): usually a native addon, or a bug in Node or V8`,
      fix: 'update or rebuild native dependencies (npm rebuild), and run the file alone with `node --report-on-fatalerror` to get a report',
    }
  }
  if (facts.signal === 'SIGABRT') {
    return {
      state: 'crash',
      cause: 'abort',
      explanation: 'the process aborted (SIGABRT): a failed native assertion or process.abort()',
      fix: "read the process's last stderr output above, and run the file alone to reproduce it",
    }
  }
  if (facts.signal) {
    return {
      state: 'crash',
      cause: 'signal',
      explanation: `it was killed by ${facts.signal}, sent from outside the test runner`,
      fix: 'find what sent the signal (a CI step, a test killing processes, a timeout wrapper)',
    }
  }
  return {
    state: 'crash',
    cause: 'exit',
    explanation: `the process exited with code ${facts.exitCode} before the file finished, bypassing Vitest's process.exit() trap (a native addon, process.reallyExit, or an exit from a preloaded module)`,
    fix: 'search the file and what it imports for exit calls; Vitest turns process.exit() inside tests into an error, so this exit came from somewhere else',
  }
}

/** The error shown by Vitest on the failed file. */
export function crashMessage(facts: CrashFacts, verdict: CrashVerdict): string {
  const lines: string[] = []
  if (verdict.cause === 'start-timeout') {
    lines.push(
      `the process for ${facts.file} (pid ${facts.pid}) never finished starting: stuck for ${formatDuration(facts.durationMs)}, killed before the file could run`,
    )
  } else if (verdict.state === 'killed' && facts.limitBreach) {
    const b = facts.limitBreach
    const [rss, limit] = distinctSizes(b.treeRssBytes, b.limitBytes)
    lines.push(`killed by vitest-memory: tree RSS ${rss} exceeded limit ${limit} after ${formatDuration(b.afterMs)} (heaviest: ${b.heaviest})`)
  } else {
    const how = facts.signal ? `was killed by ${facts.signal}` : `exited with code ${facts.exitCode}`
    lines.push(
      `the process running ${facts.file} (pid ${facts.pid}) ${how} after ${formatDuration(facts.durationMs)}, before the file finished; peak RSS before death ${formatBytes(facts.peakRssBytes)}`,
    )
  }
  lines.push(`likely cause: ${verdict.explanation}`)
  lines.push(`try: ${verdict.fix}`)
  return lines.join('\n')
}

/** Two sizes that round to the same text ("250 MB" over "250 MB") are shown with more digits. */
function distinctSizes(a: number, b: number): [string, string] {
  if (formatBytes(a) !== formatBytes(b)) return [formatBytes(a), formatBytes(b)]
  return [`${(a / 1e6).toFixed(1)} MB`, `${(b / 1e6).toFixed(1)} MB`]
}
