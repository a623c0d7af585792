// The terminal table and the Markdown summary cut the list at --memory-top, but never hide a file
// that crashed, was killed, was aborted or went over its budget behind "lighter files not shown".
import pc from 'picocolors'
import { expect, test } from 'vitest'
import { renderMarkdown } from '../src/report/markdown.js'
import { renderTable } from '../src/report/table.js'
import { file, report } from './report-model.js'

const colors = pc.createColors(false)
const heavy = Array.from({ length: 3 }, (_, i) => file(`test/heavy-${i}.test.ts`, 500 + i))
const troubled = [
  file('test/crashed.test.ts', 40, { state: 'crash' }),
  file('test/killed.test.ts', 30, { state: 'killed' }),
  file('test/aborted.test.ts', 20, { state: 'aborted' }),
  file('test/over.test.ts', 10, { overBudget: true, budgetBytes: 5e6 }),
]

test.each(troubled.map(f => [f.file, f] as const))('%s is shown although lighter than the top', (name, troubledFile) => {
  const sample = report([...heavy, troubledFile, file('test/light.test.ts', 5)])
  const table = renderTable(sample, 1, colors)
  expect(table).toContain(name)
  expect(table).toContain('… 3 lighter files not shown')
  expect(renderMarkdown(sample, 1)).toContain(name)
})
