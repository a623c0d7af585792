// The history's size bound. Entries leave the history when their file is deleted, but a file that
// exists and is no longer run (moved to another project, excluded, only run on a branch) stays,
// and a history restored from a CI cache only grows. Past the bound, the entries run longest ago go.

/**
 * At most this many entries (one per project and file). Ten times the test files of a large
 * monorepo (~5k), so no live file's figures are ever dropped in practice; at ~200 bytes of JSON a
 * run (5 kept per file) this is a file of ~50 MB at worst, read at the start of every run.
 */
export const MAX_HISTORY_ENTRIES = 50_000

/** The entries, without those run longest ago when there are more than `max` (order kept). */
export function boundEntries<Entry extends { runs: { at: string }[] }>(entries: Entry[], max = MAX_HISTORY_ENTRIES): Entry[] {
  if (entries.length <= max) return entries
  // ISO dates sort as strings; an entry with no run sorts first (oldest).
  const newest = (entry: Entry) => entry.runs.at(-1)?.at ?? ''
  const kept = new Set([...entries].sort((a, b) => newest(b).localeCompare(newest(a))).slice(0, max))
  return entries.filter(entry => kept.has(entry))
}
