// How a test file's process is started beyond Vitest's own settings: leak detection needs a
// callable GC, heap profiling needs Node's sampling heap profiler writing where we read it.
import { rmSync } from 'node:fs'
import { relative, resolve } from 'node:path'
import { hasProcfs } from '../measure/procfs.js'
import type { ResolvedMemoryOptions } from '../options.js'
import { inflightDir, PEAK_PROFILE_ENV, type PeakProfileSettings } from '../profile/peak-files.js'
import { profileFileName } from '../profile/profile-name.js'
import { mayMoveAside, mayReplace } from '../record/output-path.js'
import { CHILD_SETTINGS_ENV, type ChildSettings } from './child-state.js'

export const PROFILES_DIR = '.vitest-memory/profiles'
/** Average bytes between two samples of V8's heap profiler (Node's default is 512 KiB). */
export const HEAP_PROFILE_INTERVAL_BYTES = 32 * 1024

/**
 * The same profiler under --heap-profile=peak, sampling more sparsely: a capture at the peak holds
 * every live sample (a 2 GB peak is ~16k samples at 128 KiB), and a site holding 1 MB is still seen.
 */
export const PEAK_PROFILE_INTERVAL_BYTES = 128 * 1024

/** The pace of a process's own readings when no sampleIntervalMs is given (the option's default). */
const DEFAULT_SELF_READINGS_MS = 50

export interface ChildLaunch {
  execArgv: string[]
  env: Record<string, string>
  /** Where the heap profile will be written when the process exits, or null. */
  profilePath: string | null
}

/**
 * A shared process forces a GC after a file once JavaScript's memory grew by this share of the
 * naming threshold (retainedAbove) since its last one: at half, what files kept between two GCs
 * adds up to less than half the threshold, so it never makes a clean file look like a leaker.
 */
export const GC_TRIGGER_SHARE = 0.5

export function childLaunch(
  options: Pick<ResolvedMemoryOptions, 'detectLeaks' | 'heapProfile'> &
    Partial<Pick<ResolvedMemoryOptions, 'retainedAboveBytes' | 'annotations' | 'journalPath' | 'sampleIntervalMs'>>,
  root: string,
  file: string,
  project = '',
  shared = false,
): ChildLaunch {
  const settings: ChildSettings = {
    detectLeaks: options.detectLeaks,
    annotations: options.annotations !== false,
    ...(shared ? { shared, gcAboveBytes: Math.floor((options.retainedAboveBytes ?? 0) * GC_TRIGGER_SHARE) } : {}),
    // The pool cannot read the process from outside: it reports itself, at the sampler's pace.
    ...(hasProcfs() ? {} : { selfReadingsMs: options.sampleIntervalMs ?? DEFAULT_SELF_READINGS_MS }),
  }
  const execArgv = options.detectLeaks ? ['--expose-gc'] : []
  let profilePath: string | null = null
  // 'over-budget' profiles in a second pass (see profile/rerun.ts); 'all' profiles every file now.
  if (options.heapProfile === 'all') {
    const dir = resolve(root, PROFILES_DIR)
    // Two projects may run the same file: the project name keeps their profiles apart.
    const name = profileFileName(project, relative(root, file))
    const path = resolve(dir, name)
    // A profile left from an earlier run must not pass for this one.
    if (mayMoveAside(path)) rmSync(path)
    // V8 writes the profile itself and would follow a link (or write into a device) at the name: not profiled then.
    if (mayReplace(path)) {
      profilePath = path
      execArgv.push('--heap-prof', `--heap-prof-dir=${dir}`, `--heap-prof-name=${name}`, `--heap-prof-interval=${HEAP_PROFILE_INTERVAL_BYTES}`)
    }
  }
  const env: Record<string, string> = { [CHILD_SETTINGS_ENV]: JSON.stringify(settings) }
  // The same for every file (the process names its flush by its pid): spare processes still apply.
  const peak = peakProfileSettings(options, root)
  if (peak) env[PEAK_PROFILE_ENV] = JSON.stringify(peak)
  return { execArgv, env, profilePath }
}

/** Where and how a process profiles at its peak, or null when --heap-profile=peak is off. */
export function peakProfileSettings(
  options: Pick<ResolvedMemoryOptions, 'heapProfile'> & Partial<Pick<ResolvedMemoryOptions, 'journalPath'>>,
  root: string,
): PeakProfileSettings | null {
  if (options.heapProfile !== 'peak') return null
  return { dir: inflightDir(options.journalPath ?? null, root), samplingIntervalBytes: PEAK_PROFILE_INTERVAL_BYTES }
}
