// `vitest-memory tag --above SIZE [--write] [--remove-below SIZE]`: tags the files the history
// measured as heavy with `// @module-tag memory_intensive`, and untags the ones that got lighter.
// Without --write nothing on disk changes: it lists what it would do.
import { existsSync, readFileSync, realpathSync } from 'node:fs'
import { isAbsolute, relative, resolve, sep } from 'node:path'
import { DEFAULT_HISTORY_PATH, UsageError } from '../options.js'
import { addMemoryIntensiveTag, hasMemoryIntensiveTag, removeMemoryIntensiveTag } from '../policy/module-tag.js'
import { writeFileAtomic } from '../record/atomic-write.js'
import { displayPath, printable } from '../record/display-path.js'
import { inspectHistory, lastPeak, type History } from '../record/history.js'
import { formatBytes, parseSize, SizeError } from '../size.js'
import { listTestFiles } from './vitest-files.js'

export interface TagCommandOptions {
  aboveBytes: number | null
  removeBelowBytes: number | null
  write: boolean
  historyPath: string
  help: boolean
}

export const TAG_USAGE = 'vitest-memory tag --above SIZE [--remove-below SIZE] [--write] [--memory-history PATH]'
export const TAG_FLAGS = ['--above', '--remove-below', '--write', '--memory-history']

export const TAG_HELP = [
  `Usage: ${TAG_USAGE}`,
  '',
  'Tags test files by what the history (.vitest-memory/history.json) last measured. Run it from the project root.',
  '',
  '  --above SIZE           list the files whose last peak exceeded SIZE; with --write, add',
  '                         `// @module-tag memory_intensive` at the top of each (after a shebang)',
  '  --remove-below SIZE    list the tagged files whose last peak was below SIZE; with --write, remove the tag',
  '  --write                change the files (without it, nothing on disk changes)',
  '  --memory-history PATH  the history to read (default .vitest-memory/history.json, or VITEST_MEMORY_HISTORY)',
].join('\n')

export function parseTagArgs(argv: string[], cwd: string, env: NodeJS.ProcessEnv = process.env): TagCommandOptions {
  const options: TagCommandOptions = { aboveBytes: null, removeBelowBytes: null, write: false, historyPath: '', help: false }
  let history = env.VITEST_MEMORY_HISTORY || DEFAULT_HISTORY_PATH
  for (let i = 0; i < argv.length; i++) {
    const [name, inline] =
      argv[i].startsWith('--') && argv[i].includes('=')
        ? [argv[i].slice(0, argv[i].indexOf('=')), argv[i].slice(argv[i].indexOf('=') + 1)]
        : [argv[i], undefined]
    const value = (): string => {
      const v = inline ?? argv[++i]
      if (v === undefined || (inline === undefined && v.startsWith('--')))
        throw new UsageError(`${name} needs a value: write "${name} ${name === '--memory-history' ? 'PATH' : 'SIZE'}".`)
      return v
    }
    switch (name) {
      case '--above':
        options.aboveBytes = size(value(), name)
        break
      case '--remove-below':
        options.removeBelowBytes = size(value(), name)
        break
      case '--memory-history':
        history = value()
        break
      case '--write':
        options.write = true
        break
      case '--help':
      case '-h':
        options.help = true
        break
      default:
        throw new UsageError(`Unknown argument "${argv[i]}" for the tag command: use --above SIZE, --remove-below SIZE, --write, --memory-history PATH.`)
    }
  }
  if (!options.help && options.aboveBytes == null && options.removeBelowBytes == null) {
    throw new UsageError('the tag command needs --above SIZE (files to tag) or --remove-below SIZE (files to untag), e.g. "vitest-memory tag --above 1GB".')
  }
  if (options.aboveBytes != null && options.removeBelowBytes != null && options.removeBelowBytes > options.aboveBytes) {
    throw new UsageError(
      `--remove-below ${formatBytes(options.removeBelowBytes)} is above --above ${formatBytes(options.aboveBytes)}: a file would be tagged and untagged at once; use a smaller --remove-below.`,
    )
  }
  options.historyPath = resolve(cwd, history)
  return options
}

function size(value: string, flag: string): number {
  try {
    return parseSize(value, flag)
  } catch (error) {
    if (error instanceof SizeError) throw new UsageError(error.message)
    throw error
  }
}

export interface FileWeight {
  /** Relative to the root, forward slashes. */
  file: string
  peakBytes: number
  at: string
}

/** Each file's most recent peak; a file measured in several projects weighs its heaviest. */
export function lastWeights(history: History): FileWeight[] {
  const byFile = new Map<string, FileWeight>()
  for (const entry of history.entries) {
    const peakBytes = lastPeak(entry)
    if (peakBytes == null) continue
    const previous = byFile.get(entry.file)
    if (!previous || peakBytes > previous.peakBytes) byFile.set(entry.file, { file: entry.file, peakBytes, at: entry.runs.at(-1)!.at })
  }
  return [...byFile.values()].sort((a, b) => b.peakBytes - a.peakBytes || a.file.localeCompare(b.file))
}

/** Runs the subcommand; returns the lines it prints (a warning about the history goes to `warn`). */
export async function tagCommand(
  argv: string[],
  cwd = process.cwd(),
  env: NodeJS.ProcessEnv = process.env,
  warn: (line: string) => void = line => console.error(line),
): Promise<string[]> {
  const options = parseTagArgs(argv, cwd, env)
  if (options.help) return [TAG_HELP]
  const shownHistory = displayPath(options.historyPath, cwd)
  if (!existsSync(options.historyPath)) {
    throw new UsageError(`No history at ${shownHistory}: run the tests with vitest-memory first, or point to one with --memory-history PATH.`)
  }
  // Read only: the history is checked entry by entry and never renamed or rewritten here.
  const check = inspectHistory(options.historyPath)
  if (!check.history) {
    const hint = check.unusable === 'newer' ? 'use that version of vitest-memory' : 'run the tests once more to start a new one'
    throw new UsageError(`${check.warning}: ${hint}, or point to another with --memory-history PATH.`)
  }
  if (check.warning) warn(`vitest-memory: ${check.warning}.`)

  // Only files Vitest itself collects in this project may be edited, whatever the history says.
  const collected = await collectedFiles(cwd)
  const weights = lastWeights(check.history).filter(w => existsSync(resolve(collected.root, w.file)))
  const lines: string[] = []
  const row = (w: FileWeight, what: string) => `  ${formatBytes(w.peakBytes).padStart(9)}  ${printable(w.file)}  (${w.at.slice(0, 10)})  ${what}`
  if (options.aboveBytes != null) {
    const heavy = weights.filter(w => w.peakBytes > options.aboveBytes!)
    lines.push(`${heavy.length} file${heavy.length === 1 ? '' : 's'} measured above ${formatBytes(options.aboveBytes)} (${shownHistory}):`)
    for (const w of heavy) lines.push(row(w, edit(collected, w.file, options.write, 'add')))
  }
  if (options.removeBelowBytes != null) {
    const light = weights.filter(w => w.peakBytes < options.removeBelowBytes! && isTaggedTestFile(collected, w.file))
    lines.push(`${light.length} tagged file${light.length === 1 ? '' : 's'} measured below ${formatBytes(options.removeBelowBytes)}:`)
    for (const w of light) lines.push(row(w, edit(collected, w.file, options.write, 'remove')))
  }
  if (!options.write) lines.push('Nothing was changed: add --write to edit the files.')
  return lines
}

interface Collected {
  root: string
  /** Real path of the root: a file must resolve inside it. */
  realRoot: string
  /** Real paths of the test files Vitest collects. */
  files: Set<string>
}

async function collectedFiles(cwd: string): Promise<Collected> {
  let listed: Awaited<ReturnType<typeof listTestFiles>>
  try {
    listed = await listTestFiles([], cwd, true)
  } catch (error) {
    const reason = printable(String((error as Error)?.message ?? error).split('\n')[0], 200)
    throw new UsageError(`tag could not list the test files Vitest collects here (${reason}): run it from the project root, where Vitest's config loads.`)
  }
  const { root, files } = listed
  return { root, realRoot: realpathSync(root), files: new Set(files.flatMap(({ file }) => realOrEmpty(file))) }
}

function realOrEmpty(path: string): string[] {
  try {
    return [realpathSync(path)]
  } catch {
    return []
  }
}

/** The real path of a history file when it may be edited, else why not. */
function editable(collected: Collected, file: string): { path: string } | { refused: string } {
  const path = resolve(collected.root, file)
  if (isAbsolute(file) || !isInside(collected.root, path)) return { refused: 'skipped: outside the project root' }
  const [real] = realOrEmpty(path)
  if (!real) return { refused: 'skipped: no such file' }
  if (!isInside(collected.realRoot, real)) return { refused: 'skipped: a link that leads outside the project root' }
  if (!collected.files.has(real)) return { refused: 'skipped: not a test file Vitest collects here (include/exclude)' }
  return { path: real }
}

function isInside(root: string, path: string): boolean {
  const rel = relative(root, path)
  return rel !== '' && !rel.startsWith(`..${sep}`) && rel !== '..' && !isAbsolute(rel)
}

function isTaggedTestFile(collected: Collected, file: string): boolean {
  const target = editable(collected, file)
  if (!('path' in target)) return false
  try {
    return hasMemoryIntensiveTag(readFileSync(target.path, 'utf8'))
  } catch {
    return false
  }
}

/** Adds or removes the tag in one file (only with --write); says what happened. */
function edit(collected: Collected, file: string, write: boolean, action: 'add' | 'remove'): string {
  const target = editable(collected, file)
  if (!('path' in target)) return target.refused
  let before: string
  try {
    before = readFileSync(target.path, 'utf8')
  } catch (error) {
    return `skipped: cannot read it (${(error as NodeJS.ErrnoException).code ?? (error as Error).message})`
  }
  let after: string
  if (action === 'add') {
    if (hasMemoryIntensiveTag(before)) return 'already tagged'
    if (!write) return 'would tag'
    after = addMemoryIntensiveTag(before)
  } else {
    const { source, kept } = removeMemoryIntensiveTag(before)
    if (kept) return 'kept: the tag shares its line with other text, remove it by hand'
    if (!write) return 'would untag'
    after = source
  }
  try {
    // Temp + rename: a test file with other hard links (one outside the project) is replaced, the other names keep their content.
    writeFileAtomic(target.path, after)
  } catch (error) {
    return `not changed: cannot write it (${(error as NodeJS.ErrnoException).code ?? (error as Error).message})`
  }
  return action === 'add' ? 'tagged' : 'untagged'
}
