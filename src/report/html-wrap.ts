// Where the HTML report's names may wrap: after a `/` or `_` and at spaces, never inside a word
// (a browser would otherwise break `big-buffer` after its hyphen, or anywhere under
// overflow-wrap). Each piece between those points is a `.seg` span kept on one line (CSS).
import { escapeHtml as e } from './html-escape.js'

/**
 * A piece longer than this (a hash, a generated name without `/` or `_`) may break anywhere:
 * kept whole it would widen its column past the page. 40 characters of the 12.5 px monospace
 * font are about 300 px, a third of the narrowest page the report is laid out for.
 */
export const LONGEST_UNBROKEN = 40

/** A figure and its unit stay together ("400 MB", "30 ms", "12%"). */
const FIGURE_SPACE = /(\d) (?=(?:[kMGT]?B|ms|s|min)(?![\w]))/g

/** Escaped HTML of `text` that wraps only after `/` and `_` and at spaces. */
export function breakable(text: string): string {
  return text
    .replace(FIGURE_SPACE, '$1\u00a0')
    .split(/([ \t\n]+)/)
    .map(part => {
      if (part === '' || /^[ \t\n]+$/.test(part)) return part
      return part
        .split(/(?<=[/_])/)
        .map(piece => `<span class="${piece.length > LONGEST_UNBROKEN ? 'seg long' : 'seg'}">${e(piece)}</span>`)
        .join('<wbr>')
    })
    .join('')
}

export const WRAP_CSS = `
.seg { white-space: nowrap; } .seg.long { white-space: normal; overflow-wrap: anywhere; }
`
