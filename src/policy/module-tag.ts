// Reads and edits the `// @module-tag memory_intensive` comment in a test file's source text.
// Pure string functions; the same comment Vitest finds in the main process before a file starts.
import { MEMORY_INTENSIVE } from './tags.js'

/** What Vitest 4.1 matches (detectCodeBlock): `// @module-tag name` or ` * @module-tag name` anywhere. */
const VITEST_MODULE_TAG = /(?:\/\/|\*)\s*@module-tag\s+([\w\-/]+)\b/g
/** A line that holds only our tag, as a line comment, a one-line block comment or a docblock line. */
const TAG_LINE = new RegExp(String.raw`^[ \t]*(?:\/\/|\/\*+|\*)[ \t]*@module-tag[ \t]+${MEMORY_INTENSIVE}[ \t]*(?:\*\/)?[ \t]*$`)
const BOM = '\uFEFF'

export function moduleTags(source: string): string[] {
  return [...source.matchAll(VITEST_MODULE_TAG)].map(match => match[1])
}

export function hasMemoryIntensiveTag(source: string): boolean {
  return moduleTags(source).includes(MEMORY_INTENSIVE)
}

/** Adds the tag as the first line (after a BOM and a shebang); unchanged when the file has it already. */
export function addMemoryIntensiveTag(source: string): string {
  if (hasMemoryIntensiveTag(source)) return source
  const eol = source.includes('\r\n') ? '\r\n' : '\n'
  const line = `// @module-tag ${MEMORY_INTENSIVE}${eol}`
  const bom = source.startsWith(BOM) ? BOM : ''
  const body = source.slice(bom.length)
  if (!body.startsWith('#!')) return bom + line + body
  const end = body.indexOf('\n')
  if (end === -1) return bom + body + eol + line
  return bom + body.slice(0, end + 1) + line + body.slice(end + 1)
}

export interface Removal {
  source: string
  /** The tag is still there: it shares its line with other text, so it was left alone. */
  kept: boolean
}

/** Removes every line that holds only the tag; other lines (and the rest of a docblock) stay as they are. */
export function removeMemoryIntensiveTag(source: string): Removal {
  const bom = source.startsWith(BOM) ? BOM : ''
  const lines = source.slice(bom.length).split(/(?<=\n)/)
  const kept = lines.filter(line => !TAG_LINE.test(line.replace(/\r?\n$/, '')))
  const result = bom + kept.join('')
  return { source: result, kept: hasMemoryIntensiveTag(result) }
}
