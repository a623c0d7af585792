// How a test process reads its own peak: VmHWM on Linux, getrusage's maxRSS elsewhere.
import { OwnProcfs } from './own-procfs.js'
import { hasProcfs } from './procfs.js'
import type { MeasurementMethod } from '../model.js'

export interface OwnPeak {
  method: MeasurementMethod
  peakRssBytes: number
}

// maxRSS is in KiB on every platform Node supports.
const maxRssBytes = () => process.resourceUsage().maxRSS * 1024

/**
 * maxRSS when this module loaded, before Vitest's worker: on Linux a process started by
 * fork+exec can carry its parent's peak in maxRSS (we measured 548 MB for an empty file's
 * process under a 500 MB main process). The child entry imports this module first.
 */
const maxRssAtStart = maxRssBytes()

export function readOwnPeak(): OwnPeak {
  if (hasProcfs()) {
    const memory = OwnProcfs.get()?.read()
    if (memory) return { method: 'procfs', peakRssBytes: memory.hwmBytes }
  }
  const maxRss = maxRssBytes()
  // Past the mark it started with, maxRSS is this process's own peak. Otherwise the mark is
  // the parent's, and the own peak is not known: the current RSS is a lower bound (and the
  // pool's samples of the process may raise the tree peak above it).
  if (maxRss > maxRssAtStart) return { method: 'getrusage', peakRssBytes: maxRss }
  return { method: 'getrusage', peakRssBytes: process.memoryUsage().rss }
}
