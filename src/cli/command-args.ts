// A small parser for the subcommands' own arguments (html, compare, plan).
import { shown, UsageError } from '../errors.js'
import { suggestFlag } from './args.js'

export interface CommandSpec {
  usage: string
  /** Flags with a value; aliases map to the same name (e.g. "-o" → "--output"). */
  valued: Record<string, string>
  /** Unknown arguments go to `rest` instead of being an error (plan passes them to Vitest). */
  passRest?: boolean
}

export interface CommandArgs {
  positionals: string[]
  values: Record<string, string>
  rest: string[]
}

export function parseCommandArgs(argv: string[], spec: CommandSpec): CommandArgs {
  const out: CommandArgs = { positionals: [], values: {}, rest: [] }
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]
    const eq = arg.startsWith('--') ? arg.indexOf('=') : -1
    const name = eq === -1 ? arg : arg.slice(0, eq)
    const canonical = spec.valued[name]
    if (canonical) {
      const value = eq === -1 ? argv[++i] : arg.slice(eq + 1)
      if (value === undefined || value === '') throw new UsageError(`${name} needs a value. Usage: ${spec.usage}`)
      out.values[canonical] = value
    } else if (spec.passRest) {
      out.rest.push(arg)
    } else if (arg.startsWith('-') && arg.length > 1) {
      // The flag as typed, without its value (which may be anything, newlines included).
      const flag = /^[\w-]+$/.test(name.slice(1)) ? name : shown(name)
      const closest = suggestFlag(name, Object.keys(spec.valued))
      throw new UsageError(`Unknown option ${flag}.${closest ? ` Did you mean ${closest}?` : ''} Usage: ${spec.usage}`)
    } else {
      out.positionals.push(arg)
    }
  }
  return out
}
