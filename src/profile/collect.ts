// Heap profiles in the report. heapProfile 'peak': each file's process kept what was live at its
// highest memory, adopted by the pool when the file ended (killed files too). 'all': every file's
// process wrote one as it exited. 'over-budget': the files over budget are run once more, profiled
// at their peak, in a separate vitest-memory process after the main run — so the main run's
// measurement is untouched.
import { spawn } from 'node:child_process'
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join, relative } from 'node:path'
import { fileURLToPath } from 'node:url'
import type { Vitest } from 'vitest/node'
import type { ResolvedMemoryOptions } from '../options.js'
import type { FileReport, MemoryReport, ProfileReport } from '../record/report.js'
import type { FileMeasurement, PeakProfileRecord } from '../model.js'
import { insideRoot, readHeapProfile, TOP_SITES, topAllocationSites, type MapLine } from './heap-profile.js'
import { createLineMapper } from './source-map.js'
import { transformedSourceMap } from '../vitest-internals/tasks.js'

const CLI_MAIN = fileURLToPath(new URL('../cli/main.js', import.meta.url))
/** A process writes its profile as it exits, which may be just after the run ends. */
const PROFILE_WAIT_MS = 10_000

interface Context {
  vitest: Vitest
  root: string
}

export async function collectProfiles(
  report: MemoryReport,
  measurements: ReadonlyMap<string, FileMeasurement>,
  options: Pick<ResolvedMemoryOptions, 'heapProfile'>,
  context: Context,
): Promise<void> {
  if (options.heapProfile === 'peak') {
    for (const measurement of measurements.values()) {
      const record = measurement.peakProfile
      // A file that never grew past its process's start has no peak to show, unless it died.
      if (!record || (!record.path && !measurement.crash)) continue
      const entry = findEntry(report, measurement.project, relative(context.root, measurement.file))
      if (entry) entry.profile = peakProfileReport(record, context.root)
    }
  } else if (options.heapProfile === 'all') {
    const mapLine = createLineMapper(file => transformedSourceMap(context.vitest, file))
    for (const measurement of measurements.values()) {
      if (!measurement.profilePath) continue
      const entry = findEntry(report, measurement.project, relative(context.root, measurement.file))
      if (entry) entry.profile = await profileReport(measurement.profilePath, context.root, 'main', mapLine)
    }
  } else if (options.heapProfile === 'over-budget') {
    const over = report.files.filter(f => f.overBudget || f.tests.some(t => t.overBudget))
    for (const project of new Set(over.map(f => f.project))) {
      await rerunWithProfiler(
        over.filter(f => f.project === project),
        project,
        context,
      )
    }
  }
}

function peakProfileReport(record: PeakProfileRecord, root: string): ProfileReport {
  const meta = record.meta
  return {
    path: record.path ? toPosix(relative(root, record.path)) : '',
    pass: 'peak',
    sites: record.sites,
    ...(record.error ? { error: record.error } : {}),
    ...(meta && !meta.error
      ? {
          capturedAtRssBytes: meta.capturedAtRssBytes,
          sampledBytes: meta.sampledBytes,
          memory: { heapUsedBytes: meta.heapUsedBytes, externalBytes: meta.externalBytes, arrayBuffersBytes: meta.arrayBuffersBytes },
        }
      : {}),
  }
}

async function profileReport(path: string, root: string, pass: ProfileReport['pass'], mapLine: MapLine): Promise<ProfileReport> {
  const shown = toPosix(relative(root, path))
  const deadline = Date.now() + PROFILE_WAIT_MS
  let problem = 'the process wrote no profile (it was killed before it could exit)'
  // The file appears when the process exits and may still be being written: retry until it parses.
  while (Date.now() < deadline) {
    if (existsSync(path)) {
      try {
        const sites = topAllocationSites(readHeapProfile(path), TOP_SITES, mapLine).map(site => ({ ...site, file: insideRoot(root, site.file) }))
        return { path: shown, pass, sites }
      } catch (error) {
        problem = `unreadable profile: ${(error as Error).message}`
      }
    }
    await new Promise(resolve => setTimeout(resolve, 100))
  }
  return { path: shown, pass, sites: [], error: problem }
}

/** Runs the files again through the vitest-memory CLI with every file profiled; copies its profiles. */
async function rerunWithProfiler(files: FileReport[], project: string, { vitest, root }: Context): Promise<void> {
  vitest.logger.log(`vitest-memory: re-running ${files.length} over-budget file${files.length === 1 ? '' : 's'} under the heap profiler…`)
  const dir = mkdtempSync(join(tmpdir(), 'vitest-memory-profile-'))
  const reportPath = join(dir, 'report.json')
  const configFile = vitest.vite.config.configFile
  const args = [
    CLI_MAIN,
    'run',
    ...files.map(f => join(root, f.file)),
    '--root',
    root,
    ...(configFile ? ['--config', configFile] : []),
    ...(project ? ['--project', project] : []),
    '--heap-profile=peak',
    '--memory-report',
    reportPath,
    '--no-memory-history',
    '--no-memory-journal',
    '--reporter=dot',
  ]
  const output = await runQuietly(args, root)
  let rerun: MemoryReport | null = null
  try {
    rerun = JSON.parse(readFileSync(reportPath, 'utf8')) as MemoryReport
  } catch {
    // reported below, per file
  } finally {
    rmSync(dir, { recursive: true, force: true })
  }
  for (const file of files) {
    const profiled = rerun?.files.find(f => f.file === file.file && f.project === file.project)?.profile
    file.profile = profiled
      ? { ...profiled, pass: 'rerun' }
      : { path: '', pass: 'rerun', sites: [], error: `the profiling run produced no profile: ${lastLines(output)}` }
  }
}

function runQuietly(args: string[], cwd: string): Promise<string> {
  const env: NodeJS.ProcessEnv = {}
  // The outer Vitest's own variables would confuse the inner one; ours are kept.
  for (const [key, value] of Object.entries(process.env)) {
    if ((key.startsWith('VITEST') && !key.startsWith('VITEST_MEMORY')) || key === 'TEST') continue
    env[key] = value
  }
  return new Promise(done => {
    const child = spawn(process.execPath, args, { cwd, env: { ...env, NO_COLOR: '1' }, stdio: ['ignore', 'pipe', 'pipe'] })
    let output = ''
    child.stdout.on('data', chunk => {
      output += chunk
    })
    child.stderr.on('data', chunk => {
      output += chunk
    })
    child.on('error', error => done(String(error)))
    child.on('close', () => done(output))
  })
}

function findEntry(report: MemoryReport, project: string, relativeFile: string): FileReport | undefined {
  return report.files.find(f => f.project === project && f.file === toPosix(relativeFile))
}

function lastLines(text: string): string {
  return text.trim().split('\n').slice(-3).join(' / ') || 'no output'
}

function toPosix(path: string): string {
  return path.split('\\').join('/')
}
