// The heap-profile section printed after the table: each profiled file's top allocation sites —
// which lines held the memory at the file's peak (or, with --heap-profile=all, at its exit).
import pc from 'picocolors'
import type { FileReport, MemoryReport } from '../record/report.js'
import { nativeNote, peakLabel, siteWhere } from '../profile/site-text.js'
import { formatBytes } from '../size.js'

type Colors = ReturnType<typeof pc.createColors>

/** Sites per file in the terminal; the JSON report has the full top 10. */
const SITES_SHOWN = 5

export function renderProfiles(report: MemoryReport, colors: Colors = pc): string {
  const profiled = report.files.filter(f => f.profile)
  if (profiled.length === 0) return ''
  const lines = ['', ` ${colors.bold(colors.inverse(' HEAP PROFILE '))} top allocation sites (V8 sampling heap profiler): which lines held the memory`]
  for (const file of profiled) {
    const profile = file.profile!
    const rerun = profile.pass === 'rerun' ? ' (profiled in a second run)' : ''
    lines.push('', `   ${colors.bold(file.file)}${rerun} ${whenTaken(file)}${profile.path ? colors.dim(`  → ${profile.path}`) : ''}`)
    if (profile.error) lines.push(colors.yellow(`     no profile: ${profile.error}`))
    const native = profile.capturedAtRssBytes != null ? nativeNote(profile.memory?.arrayBuffersBytes, profile.capturedAtRssBytes) : null
    if (native) lines.push(`     ${colors.yellow(native)}`)
    for (const site of profile.sites.slice(0, SITES_SHOWN)) {
      lines.push(
        `     ${formatBytes(site.bytes).padStart(9)}  ${`${Math.round(site.share * 100)}%`.padStart(4)}  ${site.functionName}  ${colors.dim(siteWhere(site))}`,
      )
    }
  }
  lines.push('')
  return lines.join('\n')
}

function whenTaken(file: FileReport): string {
  const profile = file.profile!
  if (profile.capturedAtRssBytes != null) return peakLabel(profile.sampledBytes ?? 0, profile.capturedAtRssBytes)
  if (profile.pass === 'peak') return file.state === 'killed' || file.state === 'crash' ? 'at its death' : 'at the peak'
  return 'still live when the process exited'
}
