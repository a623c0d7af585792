// The regression gate: per file, how its peak changed between two reports, and which growth fails.
// A file fails only when it grew beyond BOTH the relative threshold and the absolute floor, so a
// 2 MB file growing to 3 MB (+50%) is not a failure, and neither is a 4 GB file growing by 30 MB.
import type { FileReport, MemoryReport } from '../record/report.js'

export type ChangeKind = 'grew' | 'shrank' | 'unchanged' | 'appeared' | 'disappeared'

export interface Thresholds {
  /** Relative growth, 0.2 = 20%. */
  failOnIncrease: number
  minDeltaBytes: number
}

export interface FileChange {
  project: string
  file: string
  kind: ChangeKind
  baseBytes: number | null
  headBytes: number | null
  deltaBytes: number | null
  /** headBytes / baseBytes − 1, or null without both. */
  ratio: number | null
  regression: boolean
}

export interface Comparison {
  changes: FileChange[]
  regressions: FileChange[]
  thresholds: Thresholds
}

/**
 * The noise floor of a comparison: a file whose peak moved by less than NOISE_FLOOR_BYTES or by
 * less than NOISE_FLOOR_RATIO of its base is "unchanged" in the tables (never a regression row:
 * those are always listed). Measured on examples/basic, four runs of the same code: files of
 * 60–70 MB moved by up to 0.6 MB (1%), files of 300–370 MB by up to 2.0 MB (0.7%). Both floors
 * sit above that with room for a busy machine, and far below the gate's defaults (20%, 20 MB).
 */
export const NOISE_FLOOR_BYTES = 1e6
export const NOISE_FLOOR_RATIO = 0.02

/** A growth or shrink too small to be more than run-to-run noise (see NOISE_FLOOR_BYTES). */
export function withinNoise(c: FileChange): boolean {
  if (c.regression || (c.kind !== 'grew' && c.kind !== 'shrank') || c.deltaBytes == null) return false
  return Math.abs(c.deltaBytes) < NOISE_FLOOR_BYTES || (c.ratio != null && Math.abs(c.ratio) < NOISE_FLOOR_RATIO)
}

/** What a file weighs for comparison: its tree peak (what budgets judge), else its own peak. */
export function weightOf(file: FileReport): number | null {
  return file.treePeakRssBytes ?? file.peakRssBytes ?? null
}

const key = (f: { project: string; file: string }) => `${f.project}\0${f.file}`

export function compareReports(base: MemoryReport, head: MemoryReport, thresholds: Thresholds): Comparison {
  const baseFiles = new Map(base.files.map(f => [key(f), f]))
  const headFiles = new Map(head.files.map(f => [key(f), f]))
  const changes: FileChange[] = []
  for (const [k, h] of headFiles) changes.push(change(h, baseFiles.get(k), h, thresholds))
  for (const [k, b] of baseFiles) if (!headFiles.has(k)) changes.push(change(b, b, undefined, thresholds))
  changes.sort(
    (a, b) => Number(b.regression) - Number(a.regression) || Math.abs(b.deltaBytes ?? 0) - Math.abs(a.deltaBytes ?? 0) || a.file.localeCompare(b.file),
  )
  return { changes, regressions: changes.filter(c => c.regression), thresholds }
}

function change(id: FileReport, base: FileReport | undefined, head: FileReport | undefined, t: Thresholds): FileChange {
  const baseBytes = base ? weightOf(base) : null
  const headBytes = head ? weightOf(head) : null
  const row = { project: id.project, file: id.file, baseBytes, headBytes }
  if (!base || (baseBytes == null && headBytes != null)) return { ...row, kind: 'appeared', deltaBytes: null, ratio: null, regression: false }
  if (!head || (headBytes == null && baseBytes != null)) return { ...row, kind: 'disappeared', deltaBytes: null, ratio: null, regression: false }
  if (baseBytes == null || headBytes == null) return { ...row, kind: 'unchanged', deltaBytes: null, ratio: null, regression: false }
  const deltaBytes = headBytes - baseBytes
  const ratio = baseBytes > 0 ? headBytes / baseBytes - 1 : null
  const kind: ChangeKind = deltaBytes > 0 ? 'grew' : deltaBytes < 0 ? 'shrank' : 'unchanged'
  const regression = deltaBytes > 0 && deltaBytes >= t.minDeltaBytes && (ratio == null || ratio > t.failOnIncrease)
  return { ...row, kind, deltaBytes, ratio, regression }
}
