// The HTML report's heap-profile section: per profiled file, which lines held the memory (at its
// peak, or at exit with --heap-profile=all), and a link to the .heapprofile for Chrome DevTools.
import type { FileReport, MemoryReport } from '../record/report.js'
import { nativeNote, peakLabel, siteWhere } from '../profile/site-text.js'
import { formatBytes } from '../size.js'
import { escapeHtml as e } from './html-escape.js'
import { breakable } from './html-wrap.js'

/** Turns a profile's path (relative to the root) into a link from the HTML file. */
export type ProfileHref = (path: string) => string

export function renderProfilesHtml(report: MemoryReport, href: ProfileHref = path => path): string {
  const profiled = report.files.filter(f => f.profile)
  if (profiled.length === 0) return ''
  return `<section><h2>Heap profiles: which lines held the memory</h2><p class="note">Top allocation sites of V8's sampling heap profiler, with the line of the allocating function. Open the .heapprofile in Chrome DevTools (Memory tab, Load) for the full tree.</p>${profiled.map(f => fileSites(f, href)).join('\n')}</section>`
}

function fileSites(file: FileReport, href: ProfileHref): string {
  const profile = file.profile!
  const when =
    profile.capturedAtRssBytes != null
      ? peakLabel(profile.sampledBytes ?? 0, profile.capturedAtRssBytes)
      : profile.pass === 'peak'
        ? 'at the peak'
        : 'still live when the process exited'
  const native = profile.capturedAtRssBytes != null ? nativeNote(profile.memory?.arrayBuffersBytes, profile.capturedAtRssBytes) : null
  const link = profile.path ? ` · <a href="${e(href(profile.path))}">${e(profile.path)}</a>` : ''
  const head = `<h3 class="profile-file">${breakable(file.project ? `[${file.project}] ${file.file}` : file.file)}${profile.pass === 'rerun' ? ' (profiled in a second run)' : ''}</h3><p class="note">${e(when)}${link}</p>`
  const notes = [profile.error ? `<p class="note bad">no profile: ${e(profile.error)}</p>` : '', native ? `<p class="note">${e(native)}</p>` : ''].join('')
  if (profile.sites.length === 0) return head + notes
  const rows = profile.sites
    .map(
      site =>
        `<tr><td class="num">${e(formatBytes(site.bytes))}</td><td class="num">${Math.round(site.share * 100)}%</td><td>${breakable(site.functionName)}</td><td class="name">${breakable(siteWhere(site))}</td></tr>`,
    )
    .join('')
  return `${head}${notes}<table class="sites"><thead><tr><th class="num">Live bytes</th><th class="num">Share</th><th>Function</th><th>Where</th></tr></thead><tbody>${rows}</tbody></table>`
}
