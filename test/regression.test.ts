import { describe, expect, test } from 'vitest'
import { parseIncrease } from '../src/options.js'
import { compareReports } from '../src/policy/regression.js'
import { renderComparison } from '../src/report/compare-table.js'
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

describe('parseIncrease', () => {
  test('reads a percentage', () => {
    expect(parseIncrease('20%')).toBe(0.2)
    expect(parseIncrease('12.5%')).toBe(0.125)
  })

  test.each(['20', '-5%', '0%', 'twenty'])('%s is refused with an example', (text) => {
    expect(() => parseIncrease(text, '--fail-on-increase')).toThrow(`Invalid --fail-on-increase "${text}": write a percentage greater than zero, e.g. "20%".`)
  })
})

function identityColors() {
  const id = (s: string) => s
  return { bold: id, inverse: id, dim: id, red: id, green: id, yellow: id, cyan: id } as never
}
