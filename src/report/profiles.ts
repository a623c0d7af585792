// The heap-profile section printed after the table: each profiled file's top allocation sites.
import pc from 'picocolors'
import type { MemoryReport } from '../record/report.js'
import { formatBytes } from '../size.js'

type Colors = ReturnType<typeof pc.createColors>

/** Sites per file in the terminal; the JSON report has the full top 10. */
const SITES_SHOWN = 5

export function renderProfiles(report: MemoryReport, colors: Colors = pc): string {
  const profiled = report.files.filter(f => f.profile)
  if (profiled.length === 0) return ''
  const lines = ['', ` ${colors.bold(colors.inverse(' HEAP PROFILE '))} top allocation sites still live when the file's process exited (V8 sampling heap profiler)`]
  for (const file of profiled) {
    const profile = file.profile!
    const rerun = profile.pass === 'rerun' ? ' (profiled in a second run)' : ''
    lines.push('', `   ${colors.bold(file.file)}${rerun}${profile.path ? colors.dim(`  → ${profile.path}`) : ''}`)
    if (profile.error) lines.push(colors.yellow(`     no profile: ${profile.error}`))
    for (const site of profile.sites.slice(0, SITES_SHOWN)) {
      const where = site.line != null ? `${site.file}:${site.line}` : site.file
      lines.push(`     ${formatBytes(site.bytes).padStart(9)}  ${`${Math.round(site.share * 100)}%`.padStart(4)}  ${site.functionName}  ${colors.dim(where)}`)
    }
  }
  lines.push('')
  return lines.join('\n')
}
