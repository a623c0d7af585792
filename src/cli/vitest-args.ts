// Vitest's half of the command line, checked the way `vitest` checks it: Vitest's own option
// definitions parse the arguments, and an option Vitest does not know either is refused with one
// line that names it and the closest flag of vitest-memory or Vitest. Nested options
// (--coverage.enabled), --no-* negations, short aliases and everything after `--` pass as in `vitest`.
import { UsageError } from '../errors.js'
import { vitestCreateCLI, type VitestCac } from '../vitest-internals/cli.js'
import { OUR_FLAGS, unknownFlagMessage } from './args.js'

export interface VitestArgs {
  filter: string[]
  options: Record<string, unknown>
}

/** Parses what `vitest` would get: the same result as Vitest's parseCLI, or a UsageError. */
export async function parseVitestArgs(args: string[]): Promise<VitestArgs> {
  const createCLI = await vitestCreateCLI()
  if (!createCLI) {
    // A Vitest whose CLI definitions are out of reach: parse without the check, as before.
    const { parseCLI } = await import('vitest/node')
    return parseCLI(['vitest', ...args]) as VitestArgs
  }
  const cli = createCLI()
  const parsed = vitestSays(() => cli.parse(['node', '/index.js', ...args], { run: false }))
  // cac's own check before it runs a command (checkUnknownOptions), with our message.
  const commands = [cli.matchedCommand, cli.globalCommand].filter(c => c !== undefined)
  const unknown = Object.keys(parsed.options).filter(name => name !== '--' && !commands.some(c => c.hasOption(name)))
  if (unknown.length > 0) throw new UsageError(unknownFlagMessage(firstTyped(unknown, args), [...OUR_FLAGS, ...vitestFlags(cli)]))
  // cac lets an array option without its value through as [true] (`vitest run --project` then crashes).
  for (const option of [...cli.globalCommand.options, ...(cli.matchedCommand?.options ?? [])]) {
    const value = parsed.options[option.name]
    if (option.required && !option.name.includes('.') && (value === true || (Array.isArray(value) && value.includes(true)))) {
      const [flags, placeholder] = option.rawName.split(/\s+(?=[<[])/)
      throw new UsageError(`${flags} needs a value: write "${flags.split(/,\s*/).at(-1)} ${placeholder}".`)
    }
  }
  vitestSays(() => cli.matchedCommand?.checkOptionValue())
  // What Vitest's parseCLI does after parsing (4.1 and 5 alike).
  let filter = parsed.args
  const options = parsed.options
  if (args[0] === 'watch' || args[0] === 'dev') options.watch = true
  if (args[0] === 'run' && !options.watch) options.run = true
  if (args[0] === 'related') {
    options.related = filter
    options.passWithNoTests ??= true
    filter = []
  }
  return { filter, options }
}

/** Runs a step of Vitest's parser; what it refuses ("option `--project <name>` value is missing") is a usage error. */
function vitestSays<T>(step: () => T): T {
  try {
    return step()
  } catch (error) {
    throw new UsageError(
      `Vitest: ${String((error as Error)?.message ?? error)
        .replace(/`/g, '')
        .replace(/\s*\n\s*/g, ' ')}`,
    )
  }
}

/** Vitest's top-level long flags (nested ones are not checked by Vitest either). */
function vitestFlags(cli: VitestCac): string[] {
  const options = [...cli.globalCommand.options, ...(cli.matchedCommand?.options ?? [])]
  return options.flatMap(o => o.rawName.match(/--[\w-]+(?![\w.-])/g) ?? [])
}

/**
 * cac names unknown options by their camelCased keys, numbers first: say the first one the way the
 * user typed it (`--frob-nicate`, or `-1GB` where a negative size was taken for short flags).
 */
function firstTyped(keys: string[], args: string[]): string {
  const camel = (name: string) => name.replace(/([a-z])-([a-z])/g, (_, a: string, b: string) => a + b.toUpperCase())
  for (const arg of args) {
    if (arg === '--') break
    if (arg.startsWith('--')) {
      const name = arg.slice(2).split('=')[0]
      const first = name.split('.')[0]
      if (keys.includes(camel(first)) || keys.includes(camel(first.replace(/^no-/, '')))) return `--${name}`
    } else if (arg.startsWith('-') && arg.length > 1 && [...arg.slice(1).split('=')[0]].some(c => keys.includes(c))) {
      return arg.split('=')[0]
    }
  }
  return keys[0].length > 1 ? `--${keys[0]}` : `-${keys[0]}`
}
