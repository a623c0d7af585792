// A small parser for the subcommands' own arguments (html, compare, plan).
import { UsageError } from '../errors.js'

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
      throw new UsageError(`Unknown option ${arg}. Usage: ${spec.usage}`)
    } else {
      out.positionals.push(arg)
    }
  }
  return out
}
