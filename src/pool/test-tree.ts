// Charges a file's process tree to the test that was running. The process knows its own peak per
// test exactly; what its subprocesses hold only the pool sees, in its tree samples. Each test's
// window opens at its start announcement and closes at the next test's start, its verdict query
// or the file's end — no message per test end: the start already says the previous one is over
// (tests run one after another; concurrent ones are marked as sharing their peak anyway). The
// highest tree sample in a window is its test's tree peak.
import type { TreeSample } from '../measure/sampler.js'
import type { TreeNews } from './protocol.js'

/**
 * The process is told the tree's figure only when it rose this much since it was last told: a
 * sample every 10–50 ms would otherwise be a message each, and a test's annotation shows MB.
 */
export const TREE_NEWS_STEP_BYTES = 1_000_000

interface Window {
  peak: number
  told: number
  subprocesses: boolean
}

export class TestTreeWindows {
  private readonly open = new Map<string, Window>()
  /** Tests during which subprocesses held memory: their tree peak. */
  readonly peaks = new Map<string, number>()

  started(testId: string): void {
    for (const open of [...this.open.keys()]) this.ended(open)
    this.open.set(testId, { peak: 0, told: 0, subprocesses: false })
  }

  ended(testId: string): void {
    const window = this.open.get(testId)
    this.open.delete(testId)
    if (window?.subprocesses) this.peaks.set(testId, Math.max(this.peaks.get(testId) ?? 0, window.peak))
  }

  peakOf(testId: string): number | null {
    return this.peaks.get(testId) ?? null
  }

  /** Takes a sample into every open window; news for the process when its subprocesses' figure rose. */
  sample(sample: TreeSample): TreeNews[] {
    const news: TreeNews[] = []
    const subprocesses = sample.treeRssBytes > sample.rootRssBytes
    for (const [testId, window] of this.open) {
      window.peak = Math.max(window.peak, sample.treeRssBytes)
      if (!subprocesses) continue
      window.subprocesses = true
      if (window.peak >= window.told + TREE_NEWS_STEP_BYTES) {
        window.told = window.peak
        news.push({ testId, treeRssBytes: window.peak })
      }
    }
    return news
  }

  /** Plain data for the file's measurement: test id → tree peak (the file ended: every window closes). */
  toRecord(): Record<string, number> | undefined {
    for (const open of [...this.open.keys()]) this.ended(open)
    return this.peaks.size ? Object.fromEntries(this.peaks) : undefined
  }
}
