// The bundled examples run as their READMEs say, through the CLI (Vitest 4 target only: they
// resolve this package by self-reference from inside the repository).
import { execFileSync } from 'node:child_process'
import { mkdtempSync, readFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { describe, expect, test } from 'vitest'
import type { MemoryReport } from '../src/record/report.js'
import { cleanEnv, CLI, ROOT } from './helpers.js'

function runExample(name: string, args: string[]) {
  const dir = mkdtempSync(join(tmpdir(), `vm-example-${name}-`))
  const reportPath = join(dir, 'report.json')
  let output: string
  let code = 0
  try {
    output = execFileSync(process.execPath, [CLI, 'run', ...args, '--memory-report', reportPath, '--no-memory-history', '--no-memory-journal'], {
      cwd: join(ROOT, 'examples', name),
      env: cleanEnv(),
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'pipe'],
    })
  } catch (error) {
    const failed = error as { status: number; stdout: string; stderr: string }
    code = failed.status
    output = failed.stdout + failed.stderr
  }
  return { code, output, report: JSON.parse(readFileSync(reportPath, 'utf8')) as MemoryReport }
}

describe('examples', () => {
  test('basic: the catalogue file is over the 256 MB budget (a warning), the thumbnails tree peak counts its subprocess', () => {
    const { code, output, report } = runExample('basic', ['--memory-budget', '256MB', '--memory-budget-warn'])
    expect(code, output).toBe(0)
    const catalog = report.files.find(f => f.file === 'test/catalog.test.ts')!
    expect(catalog.overBudget).toBe(true)
    const thumbnails = report.files.find(f => f.file === 'test/thumbnails.test.ts')!
    expect(thumbnails.treePeakRssBytes! - thumbnails.peakRssBytes!).toBeGreaterThan(190e6)
    expect(thumbnails).toMatchObject({ budgetBytes: 400e6, overBudget: false })
  })

  test("monorepo: projects from their own config files are measured, the threads project in the pool's processes", () => {
    const { code, output, report } = runExample('monorepo', ['--memory-budget', '200MB', '--memory-budget-warn'])
    expect(code, output).toBe(0)
    expect(report.files.map(f => `${f.project}:${f.file}`).sort()).toEqual([
      'api:packages/api/test/health.test.ts',
      'api:packages/api/test/import.test.ts',
      'legacy:packages/legacy/test/legacy.test.ts',
      'web:packages/web/test/badge.test.ts',
    ])
    expect(report.files.find(f => f.file === 'packages/api/test/import.test.ts')!.overBudget).toBe(true)
    expect(output).toContain("vitest-memory: project legacy names pool 'threads': it runs its files in the memory pool's processes")
  })

  test('shared: one process for every file; the file that filled a cache is named, the others added almost nothing', () => {
    const { code, output, report } = runExample('shared', [])
    expect(code, output).toBe(0)
    expect(new Set(report.files.map(f => f.shared?.process))).toEqual(new Set([1]))
    expect(report.sharedProcesses?.leftBehind).toEqual(['test/templates.test.ts'])
    const templates = report.files.find(f => f.file === 'test/templates.test.ts')!
    expect(templates.shared!.retainedBytes!).toBeGreaterThan(85e6)
    for (const file of report.files.filter(f => f.file.includes('slugify'))) expect(file.shared!.addedPeakBytes!).toBeLessThan(10e6)
    // the table's heaviest is the file that added the memory, not a later file that inherited it
    expect(output).toContain('heaviest test/templates.test.ts +')
  })
})
