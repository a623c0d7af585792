// `vitest-memory tag --above SIZE [--write] [--remove-below SIZE]`: tags the files the history
// measured as heavy with `// @module-tag memory_intensive`, and untags the ones that got lighter.
// Without --write nothing on disk changes: it lists what it would do.
import { existsSync, readFileSync, writeFileSync } from 'node:fs'
import { relative, resolve } from 'node:path'
import { DEFAULT_HISTORY_PATH, UsageError } from '../options.js'
import { addMemoryIntensiveTag, hasMemoryIntensiveTag, removeMemoryIntensiveTag } from '../policy/module-tag.js'
import { lastPeak, peekHistory, type History } from '../record/history.js'
import { formatBytes, parseSize, SizeError } from '../size.js'

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
    const [name, inline] = argv[i].startsWith('--') && argv[i].includes('=') ? [argv[i].slice(0, argv[i].indexOf('=')), argv[i].slice(argv[i].indexOf('=') + 1)] : [argv[i], undefined]
    const value = (): string => {
      const v = inline ?? argv[++i]
      if (v === undefined || (inline === undefined && v.startsWith('--'))) throw new UsageError(`${name} needs a value: write "${name} ${name === '--memory-history' ? 'PATH' : 'SIZE'}".`)
      return v
    }
    switch (name) {
      case '--above': options.aboveBytes = size(value(), name); break
      case '--remove-below': options.removeBelowBytes = size(value(), name); break
      case '--memory-history': history = value(); break
      case '--write': options.write = true; break
      case '--help': case '-h': options.help = true; break
      default: throw new UsageError(`Unknown argument "${argv[i]}" for the tag command: use --above SIZE, --remove-below SIZE, --write, --memory-history PATH.`)
    }
  }
  if (!options.help && options.aboveBytes == null && options.removeBelowBytes == null) {
    throw new UsageError('the tag command needs --above SIZE (files to tag) or --remove-below SIZE (files to untag), e.g. "vitest-memory tag --above 1GB".')
  }
  if (options.aboveBytes != null && options.removeBelowBytes != null && options.removeBelowBytes > options.aboveBytes) {
    throw new UsageError(`--remove-below ${formatBytes(options.removeBelowBytes)} is above --above ${formatBytes(options.aboveBytes)}: a file would be tagged and untagged at once; use a smaller --remove-below.`)
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

/** Runs the subcommand; returns the lines it prints. */
export function tagCommand(argv: string[], cwd = process.cwd(), env: NodeJS.ProcessEnv = process.env): string[] {
  const options = parseTagArgs(argv, cwd, env)
  if (options.help) return [TAG_HELP]
  const fromCwd = relative(cwd, options.historyPath)
  const shownHistory = fromCwd && !fromCwd.startsWith('..') ? fromCwd : options.historyPath
  if (!existsSync(options.historyPath)) {
    throw new UsageError(`No history at ${shownHistory}: run the tests with vitest-memory first, or point to one with --memory-history PATH.`)
  }
  const history = peekHistory(options.historyPath)
  if (!history) throw new UsageError(`${shownHistory} is not valid history JSON: run the tests once more to start a new one, or point to another with --memory-history PATH.`)

  const weights = lastWeights(history).filter(w => existsSync(resolve(cwd, w.file)))
  const lines: string[] = []
  const row = (w: FileWeight, what: string) => `  ${formatBytes(w.peakBytes).padStart(9)}  ${w.file}  (${w.at.slice(0, 10)})  ${what}`
  if (options.aboveBytes != null) {
    const heavy = weights.filter(w => w.peakBytes > options.aboveBytes!)
    lines.push(`${heavy.length} file${heavy.length === 1 ? '' : 's'} measured above ${formatBytes(options.aboveBytes)} (${shownHistory}):`)
    for (const w of heavy) lines.push(row(w, edit(cwd, w.file, options.write, 'add')))
  }
  if (options.removeBelowBytes != null) {
    const light = weights.filter(w => w.peakBytes < options.removeBelowBytes! && hasMemoryIntensiveTag(read(cwd, w.file)))
    lines.push(`${light.length} tagged file${light.length === 1 ? '' : 's'} measured below ${formatBytes(options.removeBelowBytes)}:`)
    for (const w of light) lines.push(row(w, edit(cwd, w.file, options.write, 'remove')))
  }
  if (!options.write) lines.push('Nothing was changed: add --write to edit the files.')
  return lines
}

function read(cwd: string, file: string): string {
  return readFileSync(resolve(cwd, file), 'utf8')
}

/** Adds or removes the tag in one file (only with --write); says what happened. */
function edit(cwd: string, file: string, write: boolean, action: 'add' | 'remove'): string {
  const before = read(cwd, file)
  if (action === 'add') {
    if (hasMemoryIntensiveTag(before)) return 'already tagged'
    if (!write) return 'would tag'
    writeFileSync(resolve(cwd, file), addMemoryIntensiveTag(before))
    return 'tagged'
  }
  const { source, kept } = removeMemoryIntensiveTag(before)
  if (kept) return 'kept: the tag shares its line with other text, remove it by hand'
  if (!write) return 'would untag'
  writeFileSync(resolve(cwd, file), source)
  return 'untagged'
}
