// The terminal table at the size of a real monorepo: rows stay tellable apart, "heaviest" means one
// thing everywhere, and the column it uses is the one marked.
import { createColors } from 'picocolors'
import { describe, expect, test } from 'vitest'
import { fitLabel, renderTable } from '../src/report/table.js'
import { file, MB, report } from './report-model.js'

const plain = createColors(false)

describe('labels of long paths in several projects', () => {
  test('the project stays and the middle of the path goes', () => {
    const long = { project: 'web-app', file: 'packages/web-app/src/features/checkout/components/payment-form.test.ts' }
    const fitted = fitLabel(long, 48)
    expect(fitted).toHaveLength(48)
    expect(fitted.startsWith('[web-app] packages/')).toBe(true)
    expect(fitted.endsWith('payment-form.test.ts')).toBe(true)
    expect(fitted).toContain('…')
  })

  test('150 files in three projects with the same deep paths: every row is distinct and names its project', () => {
    const files = []
    for (const project of ['api', 'web', 'worker']) {
      for (let i = 0; i < 50; i++) files.push(file(`packages/shared/src/very/deep/folder/structure/module-${i}/index.test.ts`, 60 + i, { project }))
    }
    const table = renderTable(report(files), 150, plain)
    const rows = table.split('\n').filter(line => line.includes('index.test.ts') && !line.includes('heaviest'))
    expect(rows).toHaveLength(150)
    expect(new Set(rows.map(row => row.slice(0, 52))).size).toBe(150)
    for (const project of ['api', 'web', 'worker']) expect(rows.filter(row => row.includes(`[${project}] `))).toHaveLength(50)
  })
})

describe('one definition of heaviest', () => {
  // own process light, its subprocess heavy: the tree peak decides, and it is the marked column
  const spawner = file('spawner.test.ts', 300, { peakRssBytes: 60 * MB })
  const fat = file('fat.test.ts', 200, { peakRssBytes: 200 * MB })

  test('sorting, the marked first number column and the summary all use the tree peak', () => {
    const table = renderTable(report([fat, spawner]), 10, plain)
    const lines = table.split('\n')
    expect(lines.find(l => l.includes('File'))).toMatch(/File\s+Peak ▼\s+Own peak\s+Time/)
    const rows = lines.filter(l => l.includes('.test.ts  '))
    expect(rows[0]).toMatch(/spawner\.test\.ts\s+300 MB\s+60\.0 MB/)
    expect(rows[1]).toMatch(/fat\.test\.ts\s+200 MB\s+200 MB/)
    expect(table).toContain('heaviest spawner.test.ts 300 MB (peak with subprocesses)')
  })
})
