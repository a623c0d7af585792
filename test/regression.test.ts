import { describe, expect, test } from 'vitest'
import { parseIncrease } from '../src/options.js'
import { compareReports, withinNoise } from '../src/policy/regression.js'
import { renderComparison, renderComparisonMarkdown } from '../src/report/compare-table.js'
import { file, MB, report } from './report-model.js'

const thresholds = { failOnIncrease: 0.2, minDeltaBytes: 20 * MB }

describe('compareReports', () => {
  const base = report([file('a.test.ts', 100), file('b.test.ts', 2), file('c.test.ts', 300), file('gone.test.ts', 50), file('big.test.ts', 4000)])
  const head = report([file('a.test.ts', 150), file('b.test.ts', 3), file('c.test.ts', 250), file('new.test.ts', 500), file('big.test.ts', 4030)])
  const { changes, regressions } = compareReports(base, head, thresholds)
  const kind = (name: string) => changes.find(c => c.file === name)!

  test('names what grew, shrank, appeared and disappeared', () => {
    expect(kind('a.test.ts')).toMatchObject({ kind: 'grew', deltaBytes: 50 * MB, regression: true })
    expect(kind('a.test.ts').ratio).toBeCloseTo(0.5)
    expect(kind('c.test.ts')).toMatchObject({ kind: 'shrank', deltaBytes: -50 * MB, regression: false })
    expect(kind('new.test.ts')).toMatchObject({ kind: 'appeared', baseBytes: null, headBytes: 500 * MB, regression: false })
    expect(kind('gone.test.ts')).toMatchObject({ kind: 'disappeared', baseBytes: 50 * MB, headBytes: null, regression: false })
  })

  test('fails a file only past both the relative threshold and the absolute floor', () => {
    // 2 MB → 3 MB is +50% but only +1 MB; 4000 → 4030 MB is +30 MB but under 1%.
    expect(kind('b.test.ts').regression).toBe(false)
    expect(kind('big.test.ts').regression).toBe(false)
    expect(regressions.map(r => r.file)).toEqual(['a.test.ts'])
    expect(changes[0].file).toBe('a.test.ts')
  })

  test('exactly at the relative threshold is not a failure; just past it is', () => {
    const at = compareReports(report([file('x', 100)]), report([file('x', 120)]), thresholds)
    expect(at.regressions).toHaveLength(0)
    const past = compareReports(report([file('x', 100)]), report([file('x', 121)]), thresholds)
    expect(past.regressions).toHaveLength(1)
  })

  test('the terminal table lists each change with its delta', () => {
    const text = renderComparison(compareReports(base, head, thresholds), { ...identityColors() })
    expect(text).toMatch(/✗ a\.test\.ts\s+100 MB\s+150 MB\s+grew \+50\.0 MB \(\+50%\)\s+over the threshold/)
    expect(text).toMatch(/c\.test\.ts\s+300 MB\s+250 MB\s+shrank −50\.0 MB \(−17%\)/)
    expect(text).toContain('appeared')
    expect(text).toContain('disappeared')
  })
})

describe('the noise floor', () => {
  // What four runs of the same code measured (examples/basic): +8 kB on 60 MB, +2.0 MB on 303 MB.
  const base = report([file('small.test.ts', 60), file('large.test.ts', 303), file('tiny.test.ts', 2), file('real.test.ts', 60), file('gone.test.ts', 50)])
  const head = report([file('small.test.ts', 60.008), file('large.test.ts', 305), file('tiny.test.ts', 2.9), file('real.test.ts', 64), file('new.test.ts', 1)])
  const comparison = compareReports(base, head, thresholds)
  const change = (name: string) => comparison.changes.find(c => c.file === name)!

  test('below 1 MB or below 2% of the base is noise; appeared, disappeared and real growth are not', () => {
    expect(withinNoise(change('small.test.ts'))).toBe(true) // +8 kB, +0%
    expect(withinNoise(change('large.test.ts'))).toBe(true) // +2 MB, +0.7%
    expect(withinNoise(change('tiny.test.ts'))).toBe(true) // +0.9 MB, +45%
    expect(withinNoise(change('real.test.ts'))).toBe(false) // +4 MB, +6.7%
    expect(withinNoise(change('gone.test.ts'))).toBe(false)
    expect(withinNoise(change('new.test.ts'))).toBe(false)
  })

  test('a regression is always listed, even under the noise floor (a --min-delta below 1 MB)', () => {
    const tight = compareReports(report([file('x', 2)]), report([file('x', 2.9)]), { failOnIncrease: 0.2, minDeltaBytes: 0.5 * MB })
    expect(tight.regressions).toHaveLength(1)
    expect(withinNoise(tight.changes[0])).toBe(false)
    expect(renderComparison(tight, identityColors())).toMatch(/✗ x .*over the threshold/)
  })

  test('the tables leave noise out and say how many files they left out, and why', () => {
    const text = renderComparison(comparison, identityColors())
    expect(text).not.toContain('small.test.ts')
    expect(text).not.toContain('large.test.ts')
    expect(text).not.toContain('tiny.test.ts')
    expect(text).toMatch(/real\.test\.ts\s+60\.0 MB\s+64\.0 MB\s+grew \+4\.0 MB \(\+7%\)/)
    expect(text).toContain('1 grew · 1 appeared · 1 disappeared · 3 files within ±1.0 MB or ±2% of their base not listed (run-to-run noise)')
    const markdown = renderComparisonMarkdown(comparison)
    expect(markdown).not.toContain('small.test.ts')
    expect(markdown).toContain('| real.test.ts | 60.0 MB | 64.0 MB | grew +4.0 MB (+7%) |')
    expect(markdown).toContain('3 files within ±1.0 MB or ±2% of their base not listed (run-to-run noise).')
  })

  test('only noise: "no file changed", and the count', () => {
    const quiet = compareReports(report([file('a', 60)]), report([file('a', 60.008)]), thresholds)
    expect(renderComparison(quiet, identityColors())).toContain('no file changed · 1 file within ±1.0 MB or ±2% of its base not listed (run-to-run noise)')
    expect(renderComparisonMarkdown(quiet)).toContain('No file changed; 1 file within ±1.0 MB or ±2% of its base not listed (run-to-run noise).')
  })
})

describe('parseIncrease', () => {
  test('reads a percentage', () => {
    expect(parseIncrease('20%')).toBe(0.2)
    expect(parseIncrease('12.5%')).toBe(0.125)
  })

  test.each(['20', '-5%', '0%', 'twenty'])('%s is refused with an example', text => {
    expect(() => parseIncrease(text, '--fail-on-increase')).toThrow(`Invalid --fail-on-increase "${text}": write a percentage greater than zero, e.g. "20%".`)
  })
})

function identityColors() {
  const id = (s: string) => s
  return { bold: id, inverse: id, dim: id, red: id, green: id, yellow: id, cyan: id } as never
}
