// How a test process reads its own peak: VmHWM on Linux, getrusage's maxRSS elsewhere.
import { hasProcfs, readProcessMemory } from './procfs.js'

export type MeasurementMethod = 'procfs' | 'getrusage'

export interface OwnPeak {
  method: MeasurementMethod
  peakRssBytes: number
}

export function readOwnPeak(): OwnPeak {
  if (hasProcfs()) {
    const memory = readProcessMemory('self')
    if (memory) return { method: 'procfs', peakRssBytes: memory.hwmBytes }
  }
  // maxRSS is in KiB on every platform Node supports.
  return { method: 'getrusage', peakRssBytes: process.resourceUsage().maxRSS * 1024 }
}
