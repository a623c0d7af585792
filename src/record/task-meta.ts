// A file's measurement also rides on its File task's `meta` (plain data), because meta survives
// `--reporter=blob` and `--merge-reports`: a merged run has no pool, only the shards' tasks.
import type { FileSpan, RunTimeline } from '../measure/run-timeline.js'
import type { FileMeasurement } from '../model.js'
import type { Vitest } from 'vitest/node'
import { findFileTask, shardLabel } from '../vitest-internals/tasks.js'
import { annotateFileVerdict, type VerdictAnnotation } from './verdict-annotations.js'

export const META_KEY = 'vitestMemory'

export interface MemoryMeta {
  measurement: FileMeasurement
  /** Milliseconds from the start of the (shard's) run to the file's start. */
  startedAtMs: number | null
  workerSlot: number | null
  /** "i/n" when the run was a shard. */
  shard: string | null
}

/** Where a file ran: its offset in the run, its worker slot and its shard. */
export interface Placement {
  startedAtMs?: number
  /** Only for a file with no measurement (its process died): from its start until the process was gone. */
  durationMs?: number
  workerSlot?: number
  shard?: string
}

/**
 * Called by the pool when a file finished, or its process died (then the measurement carries the
 * crash): copies the measurement and the file's place in the run onto the File task, so a merged
 * report knows everything the shard knew.
 */
export function attachMeasurement(vitest: Vitest, measurement: FileMeasurement, timeline: RunTimeline, verdict: VerdictAnnotation | null = null): void {
  const span = timeline.findSpan(measurement.project, measurement.file)
  const task = findFileTask(vitest, measurement.project, measurement.file)
  if (!task) return
  const meta: MemoryMeta = {
    measurement: { ...measurement, ...(measurement.crash ? { crash: { ...measurement.crash } } : {}) },
    startedAtMs: span && timeline.startedAt != null ? span.startedAt - timeline.startedAt : null,
    workerSlot: span?.slot ?? null,
    // A run of a planned shard (--shard-plan) says which one through the environment.
    shard: shardLabel(vitest) ?? process.env.VITEST_MEMORY_SHARD ?? null,
  }
  task.meta[META_KEY] = meta
  annotateFileVerdict(task as never, verdict)
}

export function readMemoryMeta(meta: unknown): MemoryMeta | undefined {
  const value = (meta as Record<string, unknown> | undefined)?.[META_KEY] as MemoryMeta | undefined
  return value && typeof value === 'object' && value.measurement && typeof value.measurement === 'object' ? value : undefined
}

/** This run's span when the pool ran the file here, else what the task's meta carried (a merged run). */
export function placementOf(span: FileSpan | undefined, runStartedAt: number | null, meta: MemoryMeta | undefined, measured: boolean): Placement {
  if (span && runStartedAt != null) {
    const placement: Placement = { startedAtMs: span.startedAt - runStartedAt, workerSlot: span.slot }
    if (!measured && span.endedAt != null) placement.durationMs = span.endedAt - span.startedAt
    return placement
  }
  if (!meta) return {}
  const placement: Placement = {}
  if (meta.startedAtMs != null) placement.startedAtMs = meta.startedAtMs
  if (meta.workerSlot != null) placement.workerSlot = meta.workerSlot
  if (meta.shard) placement.shard = meta.shard
  return placement
}
