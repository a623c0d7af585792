// Which processes made a file's tree peak, in one line for the table's ↳ line and `why`: a tree
// peak that moves from run to run (a subprocess whose size varies) shows why it moved.
import type { PeakProcess } from '../model.js'
import { formatBytes } from '../size.js'

export function treePeakText(processes: readonly PeakProcess[]): string {
  return processes.map(p => `${p.pid} ${p.command ?? "the test file's own process"} ${formatBytes(p.rssBytes)}`).join(' · ')
}
