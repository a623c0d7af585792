// `vitest-memory why [JOURNAL]`: reads the flight recorder of a finished, crashed or killed run and
// says in plain words what was running at the end, how big it was and how fast it was growing.
import { treePeakText } from '../report/tree-peak.js'
import { existsSync, readdirSync, readFileSync } from 'node:fs'
import { basename, dirname, join, relative, resolve } from 'node:path'
import { displayPath, printable, terminalSafe } from '../record/display-path.js'
import { readStartTime } from '../measure/procfs.js'
import { DEFAULT_JOURNAL_PATH, UsageError } from '../options.js'
import type { JournalEntry } from '../record/journal.js'
import { schemaProblem } from '../record/schemas.js'
import { nativeNote, peakLabel, siteWhere } from '../profile/site-text.js'
import { formatBytes, formatDuration } from '../size.js'

type Entry<T extends JournalEntry['t']> = Extract<JournalEntry, { t: T }>

export interface RunningAtEnd {
  file: string
  pid: number
  runningMs: number
  /** Its process was still starting: the file had not begun to run. */
  starting: boolean
  /** The last tree RSS recorded for it, and when. */
  rssBytes: number | null
  /** Bytes per second between its last two samples; null with fewer than two. */
  bytesPerSecond: number | null
  /** --heap-profile=peak: the allocation sites of its process's latest flush. */
  sites?: Entry<'sites'>
}

export interface JournalAnalysis {
  run: Entry<'run'> | null
  ending: 'finished' | 'aborted' | 'exited' | 'died'
  /** The runner's exit code when it exited before the run ended. */
  exitCode?: number | null
  abortedBy: string | null
  endedAt: number
  running: RunningAtEnd[]
  finished: Entry<'file-end'>[]
  /** The last line was cut short (the runner was killed while writing it). */
  truncated: boolean
  /** --heap-profile=peak: the latest allocation sites per file and pid ("file\0pid"). */
  sites?: Map<string, Entry<'sites'>>
  /** Lines of kinds this version does not know (a newer vitest-memory wrote them), by kind. */
  unknownKinds?: Map<string, number>
}

export class JournalError extends Error {}

const KNOWN_EVENTS = new Set<string>(['run', 'file-boot', 'file-start', 'sample', 'sites', 'file-end', 'recycle', 'aborted', 'run-end', 'exit'])

/** Parses a journal; only the last run in it counts. A cut-short last line is tolerated. */
export function analyzeJournal(text: string): JournalAnalysis {
  const lines = text.split('\n')
  const unknownKinds = new Map<string, number>()
  let truncated = false
  let count = 0
  // One pass, keeping only the current run's state: a long CI run's journal is read in linear
  // time and without holding every line (asking "is this the last line?" of each was quadratic).
  let lastLine = lines.length - 1
  while (lastLine >= 0 && !lines[lastLine].trim()) lastLine--
  let run: Entry<'run'> | null = null
  let lastAt: number | null = null
  let booting = new Map<string, Entry<'file-boot'>>()
  let started = new Map<string, Entry<'file-start'>>()
  let samples = new Map<string, Entry<'sample'>[]>()
  let finished: Entry<'file-end'>[] = []
  let sites = new Map<string, Entry<'sites'>>()
  let ending: JournalAnalysis['ending'] = 'died'
  let abortedBy: string | null = null
  let abortedRunning: Entry<'aborted'>['running'] = []
  let exitCode: number | null | undefined
  for (let index = 0; index < lines.length; index++) {
    const line = lines[index]
    if (!line.trim()) continue
    let entry: JournalEntry | undefined
    try {
      entry = JSON.parse(line) as JournalEntry
    } catch {
      if (index === lastLine && !text.endsWith('\n')) {
        truncated = true
        continue
      }
    }
    if (entry === undefined) throw new JournalError(`line ${index + 1} is not a vitest-memory journal entry (not JSON)`)
    // Every field is checked against schema/journal-entry.schema.json: a date out of range or a
    // size of the wrong type is a bad journal, not a RangeError later.
    const problem = schemaProblem('journal-entry', entry)
    if (problem) throw new JournalError(`line ${index + 1}: ${problem}`)
    // An event a newer version added: nothing here knows it (counted, and said once).
    if (!KNOWN_EVENTS.has(entry.t)) {
      unknownKinds.set(entry.t, (unknownKinds.get(entry.t) ?? 0) + 1)
      continue
    }
    count++
    if (entry.t === 'run') {
      // Only the last run counts: what came before it is forgotten.
      run = entry
      lastAt = null
      booting = new Map()
      started = new Map()
      samples = new Map()
      finished = []
      sites = new Map()
      ending = 'died'
      abortedBy = null
      abortedRunning = []
      exitCode = undefined
      continue
    }
    lastAt = entry.at
    const key = 'file' in entry && 'pid' in entry ? `${entry.file}\0${entry.pid}` : ''
    if (entry.t === 'file-boot') booting.set(key, entry)
    else if (entry.t === 'file-start') {
      booting.delete(key)
      started.set(key, entry)
    } else if (entry.t === 'sample') {
      // Only the last two of a file's samples are read: growth rate and latest size.
      const own = samples.get(key)
      if (!own) samples.set(key, [entry])
      else {
        own.push(entry)
        if (own.length > 2) own.shift()
      }
    } else if (entry.t === 'sites') sites.set(key, entry)
    else if (entry.t === 'file-end') {
      booting.delete(key)
      started.delete(key)
      finished.push(entry)
    } else if (entry.t === 'run-end') ending = 'finished'
    else if (entry.t === 'exit') {
      ending = 'exited'
      exitCode = entry.exitCode
    } else if (entry.t === 'aborted') {
      ending = 'aborted'
      abortedBy = entry.signal
      abortedRunning = entry.running
    }
  }
  if (count === 0) throw new JournalError('it holds no journal entries')
  const endedAt = lastAt ?? run?.at ?? 0
  const inFlight = [...booting.entries(), ...started.entries()].sort(([, a], [, b]) => a.at - b.at)
  const running = inFlight.map(([key, start]) => {
    const own = samples.get(key) ?? []
    const last = own.at(-1)
    const before = own.at(-2)
    // The aborted line holds a reading taken at the very end, fresher than the last sample.
    const atAbort = abortedRunning.find(r => r.pid === start.pid || (r.pid === 0 && r.file === start.file))?.treeRssBytes
    return {
      file: start.file,
      pid: start.pid,
      starting: start.t === 'file-boot',
      runningMs: endedAt - start.at,
      rssBytes: atAbort ?? last?.treeRssBytes ?? null,
      bytesPerSecond: last && before && last.at > before.at ? ((last.treeRssBytes - before.treeRssBytes) * 1000) / (last.at - before.at) : null,
      ...(sites.has(key) ? { sites: sites.get(key) } : {}),
    }
  })
  // A file the aborted line names but no other line does (its process never reached the journal).
  for (const entry of abortedRunning) {
    if (running.some(r => r.file === entry.file)) continue
    running.push({
      file: entry.file,
      pid: entry.pid,
      starting: entry.pid === 0,
      runningMs: entry.runningMs,
      rssBytes: entry.treeRssBytes,
      bytesPerSecond: null,
    })
  }
  return { run, ending, abortedBy, endedAt, running, finished, truncated, sites, unknownKinds, ...(exitCode !== undefined ? { exitCode } : {}) }
}

/** Whether the runner that wrote the journal is still alive: its journal is then not an ending. */
export type RunnerLiveness = 'alive' | 'dead' | 'unknown'

export function renderWhy(analysis: JournalAnalysis, top = 5, liveness: RunnerLiveness = 'dead', now = Date.now()): string {
  const { run, running } = analysis
  const lines: string[] = []
  if (run) {
    const limit = run.limitBytes != null ? `, limit ${formatBytes(run.limitBytes)}` : ''
    const machine = `machine ${formatBytes(run.totalMemoryBytes)}${run.cgroupLimitBytes != null ? `, container limit ${formatBytes(run.cgroupLimitBytes)}` : ''}`
    lines.push(`Run of pid ${run.pid} started ${new Date(run.at).toISOString()} (${machine}${limit}).`)
  }
  const live = analysis.ending === 'died' && liveness !== 'dead'
  // For a runner still alive, a file is in flight until now, not until the journal's last line.
  const inFlight = live && liveness === 'alive' ? running.map(file => ({ ...file, runningMs: file.runningMs + Math.max(0, now - analysis.endedAt) })) : running
  const into = run ? `, ${formatDuration(analysis.endedAt - run.at)} into the run` : ''
  const what =
    inFlight.length === 1
      ? `${inFlight[0].file} was ${inFlight[0].starting ? 'waiting for its process to start' : 'running'}`
      : inFlight.length > 1
        ? `${inFlight.length} files were in flight`
        : 'no test file was running'
  const unannounced = analysis.ending === 'died' && !live
  const size = inFlight.length === 1 ? `; ${describe(inFlight[0], unannounced)}` : ''
  if (analysis.ending === 'finished') {
    lines.push(`The run finished normally${run ? ` after ${formatDuration(analysis.endedAt - run.at)}` : ''}.`)
  } else if (analysis.ending === 'exited') {
    const code = analysis.exitCode == null ? '' : ` with code ${analysis.exitCode}`
    lines.push(
      `The runner exited${code}${into} before the run ended, while ${what}${size}: an error stopped it (a config that failed to load, an error Vitest could not recover from); its own output says which.`,
    )
  } else if (analysis.ending === 'aborted') {
    lines.push(`The runner was stopped by ${analysis.abortedBy}${into} while ${what}${size}.`)
    lines.push("It killed the running files' processes before it exited.")
  } else if (live) {
    const pid = run ? ` (pid ${run.pid})` : ''
    lines.push(
      liveness === 'alive'
        ? `The runner${pid} is still running: this journal is not an ending. Its last line is from ${new Date(analysis.endedAt).toISOString()}${into}; ${what}${size}.`
        : `The runner${pid} may still be running (a process with its pid exists). Its last line is from ${new Date(analysis.endedAt).toISOString()}${into}; ${what}${size}.`,
    )
    if (inFlight.some(file => file.starting))
      lines.push('A file whose process never finishes starting is failed after memoryPool({ startTimeout }) (60 s by default).')
  } else {
    lines.push(`The runner died while ${what}${size}.`)
    lines.push(
      `The journal ends without a word at ${new Date(analysis.endedAt).toISOString()}${into}: the runner was killed without warning (SIGKILL — the OOM killer, or a CI timeout's last resort).`,
    )
  }
  for (const file of inFlight) {
    lines.push(
      file.starting
        ? `  ${file.file}: pid ${file.pid || '(none yet)'}, never finished starting (${startingFor(file, unannounced)})`
        : `  ${file.file}: pid ${file.pid}, running for ${formatDuration(file.runningMs)}, ${sizeOf(file).replace(/^its /, '')}`,
    )
    if (file.sites)
      lines.push(
        ...sitesLines(
          file.sites,
          `which lines were allocating: the sites live at its highest so far (${formatBytes(file.sites.sampledBytes)} of ${formatBytes(file.sites.capturedAtRssBytes)} RSS)`,
        ),
      )
    lines.push(...sharedBefore(analysis, file))
  }
  const growing = inFlight.filter(file => !file.starting)
  if (growing.length === 1 && analysis.ending !== 'finished')
    lines.push(`Run it alone under a limit to see it fail cleanly: vitest-memory run ${growing[0].file} --memory-limit SIZE`)
  const heaviest = [...analysis.finished].sort((a, b) => (b.treePeakRssBytes ?? 0) - (a.treePeakRssBytes ?? 0)).slice(0, top)
  if (heaviest.length) {
    lines.push(`Heaviest finished files (of ${analysis.finished.length}):`)
    for (const file of heaviest) {
      const how = file.signal ? `${file.state}, ${file.signal}` : file.exitCode != null ? `${file.state}, exit ${file.exitCode}` : file.state
      lines.push(`  ${formatBytes(file.treePeakRssBytes).padStart(8)}  ${file.file} (${how}, ${formatDuration(file.durationMs)})`)
      if (file.treePeakProcesses?.length) lines.push(`            its tree at the peak: ${treePeakText(file.treePeakProcesses)}`)
      const sites = file.state === 'killed' || file.state === 'crash' ? analysis.sites?.get(`${file.file}\0${file.pid}`) : undefined
      if (sites) lines.push(...sitesLines(sites, `which lines held the memory, ${peakLabel(sites.sampledBytes, sites.capturedAtRssBytes)}`))
    }
  } else {
    lines.push('No file finished.')
  }
  if (analysis.truncated) lines.push('(The last line was cut short: the runner was killed while writing it.)')
  const unknown = [...(analysis.unknownKinds ?? new Map<string, number>())]
  if (unknown.length > 0) {
    const count = unknown.reduce((sum, [, n]) => sum + n, 0)
    lines.push(
      `(${count} line${count === 1 ? '' : 's'} of a kind this version does not know, skipped: ${unknown.map(([kind, n]) => `${printable(kind, 40)} ×${n}`).join(', ')}; a newer vitest-memory wrote them.)`,
    )
  }
  // File names, test names and sites come from the journal: nothing in them reaches the terminal raw.
  return lines.map(terminalSafe).join('\n')
}

function describe(file: RunningAtEnd, unannounced: boolean): string {
  if (file.starting) {
    if (unannounced || file.runningMs < STUCK_AFTER_MS) return `its process had not finished starting (${startingFor(file, unannounced)})`
    return `its process never finished starting: stuck for ${formatDuration(file.runningMs)}`
  }
  return sizeOf(file)
}

/** A process starts in a few hundred ms: under this, a start is under way, not stuck. */
const STUCK_AFTER_MS = 1000

/**
 * How long a file had been starting. A runner that died unannounced wrote nothing at its death:
 * the time is only up to the journal's last line, maybe 17 ms, which is no "stuck".
 */
function startingFor(file: RunningAtEnd, unannounced: boolean): string {
  if (unannounced) return `began ${formatDuration(file.runningMs)} before the journal's last line`
  return file.runningMs < STUCK_AFTER_MS ? `began ${formatDuration(file.runningMs)} before` : `stuck for ${formatDuration(file.runningMs)}`
}

/**
 * Is the journal's runner alive? A process with its pid must exist and, where /proc shows it, have
 * started when the runner did (field 22 of /proc/<pid>/stat, on the run line): a pid reused by
 * another process (or a journal copied from CI) is "dead". The command line is no test: npm's bin,
 * npx and `node dist/cli/main.js` all show another one than process.argv.
 */
export function runnerLiveness(run: { pid: number; at?: number; startTime?: number | null } | null): RunnerLiveness {
  if (!run || !Number.isInteger(run.pid) || run.pid <= 0) return 'dead'
  try {
    process.kill(run.pid, 0)
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EPERM') return 'dead'
  }
  if (run.pid === process.pid) return 'dead'
  const startTime = readStartTime(run.pid)
  if (startTime === null) return existsSync('/proc/self') ? 'dead' : 'unknown'
  if (run.startTime != null) return startTime === run.startTime ? 'alive' : 'dead'
  // A journal written before start times were recorded: the pid was the runner's at its run line,
  // so a process with it that started later is another one.
  const startedAt = wallClockStart(startTime)
  if (startedAt === null || run.at === undefined) return 'unknown'
  return startedAt <= run.at + START_CLOCK_SLACK_MS ? 'alive' : 'dead'
}

/** Linux's USER_HZ: /proc/<pid>/stat counts start times in these ticks on every architecture. */
const TICKS_PER_SECOND = 100
/** The boot time in /proc/stat is whole seconds: a start time derived from it is this coarse. */
const START_CLOCK_SLACK_MS = 2000

function wallClockStart(ticks: number): number | null {
  try {
    const btime = Number(/^btime (\d+)$/m.exec(readFileSync('/proc/stat', 'utf8'))?.[1])
    return Number.isFinite(btime) && btime > 0 ? btime * 1000 + (ticks * 1000) / TICKS_PER_SECOND : null
  } catch {
    return null
  }
}

/** Files that ran earlier in the same shared process (isolate: false), with what each kept. */
function sharedBefore(analysis: JournalAnalysis, file: RunningAtEnd): string[] {
  const before = analysis.finished.filter(f => f.pid === file.pid && f.shared)
  if (before.length === 0) return []
  const lines = [
    `  It ran in a shared process (isolate: false) after ${before.length} file${before.length === 1 ? '' : 's'} (the process held what they kept):`,
  ]
  for (const f of before.slice(-10)) {
    const kept = f.shared!.retainedBytes == null ? 'kept little' : `kept ${formatBytes(f.shared!.retainedBytes)} after GC`
    lines.push(`    ${String(f.shared!.order).padStart(3)}. ${f.file}: started at ${formatBytes(f.shared!.startRssBytes)}, ${kept}`)
  }
  if (before.length > 10) lines.splice(1, 0, `    … ${before.length - 10} earlier`)
  return lines
}

/** Sites of a journaled peak profile, indented under their file. */
const WHY_SITES = 3

function sitesLines(entry: Entry<'sites'>, heading: string): string[] {
  const native = nativeNote(entry.arrayBuffersBytes, entry.capturedAtRssBytes)
  return [
    `    ${heading}${native ? `; ${native}` : ''}:`,
    ...entry.sites
      .slice(0, WHY_SITES)
      .map(site => `      ${formatBytes(site.bytes).padStart(8)}  ${`${Math.round(site.share * 100)}%`.padStart(4)}  ${site.functionName}  ${siteWhere(site)}`),
  ]
}

function sizeOf(file: RunningAtEnd): string {
  if (file.rssBytes == null) return 'it had just started, with no memory sample yet'
  const rate = file.bytesPerSecond
  const trend =
    rate == null ? '' : Math.abs(rate) < 1e6 ? ' and steady' : rate > 0 ? ` and rising ${formatBytes(rate)}/s` : ` and falling ${formatBytes(-rate)}/s`
  return `its RSS was ${formatBytes(file.rssBytes)}${trend}`
}

/** The `why` subcommand: prints the story, or one line saying why it cannot (exit 2). */
export function runWhy(argv: string[]): void {
  if (argv.length > 1) throw new UsageError(`why takes one journal path at most, got ${argv.length}: write "vitest-memory why [JOURNAL]".`)
  const path = resolve(argv[0] ?? process.env.VITEST_MEMORY_JOURNAL ?? DEFAULT_JOURNAL_PATH)
  const fromCwd = relative(process.cwd(), path)
  const shown = !fromCwd || fromCwd.startsWith('..') ? path : fromCwd
  let text: string
  try {
    text = readFileSync(path, 'utf8')
  } catch {
    throw new UsageError(`no journal at ${shown}: runs write one by default (--memory-journal PATH); give its path as "vitest-memory why PATH".`)
  }
  let analysis: JournalAnalysis
  try {
    analysis = analyzeJournal(text)
  } catch (error) {
    if (error instanceof JournalError) throw new UsageError(`${shown} is not a readable journal: ${error.message}.`)
    throw error
  }
  console.log(renderWhy(analysis, 5, runnerLiveness(analysis.run)))
  for (const other of concurrentJournals(path))
    console.log(`Another run at once wrote its own journal: ${displayPath(other)} (vitest-memory why ${displayPath(other)}).`)
}

/** journal.<pid>.jsonl beside journal.jsonl: runs that started while another held the journal. */
function concurrentJournals(path: string): string[] {
  const base = basename(path)
  const dot = base.lastIndexOf('.')
  const [stem, ext] = dot > 0 ? [base.slice(0, dot), base.slice(dot)] : [base, '']
  const literal = (text: string) => text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')
  const pattern = new RegExp(`^${literal(stem)}\\.\\d+${literal(ext)}$`)
  try {
    return readdirSync(dirname(path))
      .filter(name => pattern.test(name))
      .sort()
      .map(name => join(dirname(path), name))
  } catch {
    return []
  }
}
