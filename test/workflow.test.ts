// The GitHub Actions workflows we ship or show: every one (examples/, the docs' ```yaml blocks that
// are whole workflows, .github/) passes a real workflow validator (action-validator, against the
// schema GitHub's runner accepts); examples/github-actions/memory.yml is one coherent strategy (see
// docs/ci-reports.md); and every vitest-memory command in it is one this package really has: flags
// from the FLAGS table, subcommands from the dispatch table, anything else in `vitest --help`.
import { spawnSync } from 'node:child_process'
import { mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join, relative } from 'node:path'
import { parse } from 'yaml'
import { describe, expect, test } from 'vitest'
import { FLAGS } from '../src/cli/args.js'
import { SUBCOMMANDS } from '../src/cli/commands.js'
import { ROOT, VITEST } from './helpers.js'

interface Step {
  run?: string
  name?: string
  uses?: string
  if?: string
  with?: Record<string, string>
  env?: Record<string, string>
}
interface Job {
  steps: Step[]
  needs?: string | string[]
  if?: string
  strategy?: { matrix: Record<string, unknown> }
  permissions?: Record<string, string>
}
interface Workflow {
  on: Record<string, unknown>
  env?: Record<string, string>
  permissions?: Record<string, string>
  jobs: Record<string, Job>
}

const EXAMPLE = join(ROOT, 'examples/github-actions/memory.yml')
const workflow = parse(readFileSync(EXAMPLE, 'utf8')) as Workflow

const VALIDATOR = join(ROOT, 'node_modules/@action-validator/cli/cli.mjs')

/** action-validator's verdict on one workflow file: null when valid, its errors otherwise. */
function validate(path: string): string | null {
  const result = spawnSync(process.execPath, [VALIDATOR, path], { encoding: 'utf8' })
  return result.status === 0 ? null : `${result.stdout}${result.stderr}`.trim() || `exit ${result.status}`
}

function filesUnder(dir: string, keep: (name: string) => boolean): string[] {
  return readdirSync(dir, { recursive: true, encoding: 'utf8' })
    .filter(keep)
    .map(name => join(dir, name))
}

/** The workflows to validate, by a name for the failure message: whole files, and whole workflows in the docs' ```yaml blocks. */
function workflows(): Map<string, string> {
  const out = new Map<string, string>()
  const yamlFile = (name: string) => /\.ya?ml$/.test(name) && !name.includes('node_modules')
  for (const dir of ['examples', '.github']) {
    for (const path of filesUnder(join(ROOT, dir), yamlFile)) out.set(relative(ROOT, path), path)
  }
  const blocks = mkdtempSync(join(tmpdir(), 'vm-workflows-'))
  for (const path of [join(ROOT, 'README.md'), ...filesUnder(join(ROOT, 'docs'), name => name.endsWith('.md'))]) {
    const text = readFileSync(path, 'utf8')
    for (const match of text.matchAll(/^( *)```ya?ml\n([\s\S]*?)^\1```/gm)) {
      const body = match[2]
        .split('\n')
        .map(line => line.slice(match[1].length))
        .join('\n')
      const parsed = parse(body) as unknown
      // A step list shown as a fragment is not a workflow; a block with jobs is one, and must be whole.
      if (!parsed || typeof parsed !== 'object' || Array.isArray(parsed) || !('jobs' in parsed)) continue
      const line = text.slice(0, match.index).split('\n').length
      const file = join(blocks, `${relative(ROOT, path).replace(/[/\\]/g, '_')}-${line}.yml`)
      writeFileSync(file, body)
      out.set(`${relative(ROOT, path)}:${line}`, file)
    }
  }
  return out
}

/** Each `vitest-memory …` command in the workflow's run steps, as tokens (expressions kept whole), by job. */
function commands(): { job: string; tokens: string[] }[] {
  const out: { job: string; tokens: string[] }[] = []
  for (const [name, job] of Object.entries(workflow.jobs)) {
    for (const step of job.steps) {
      for (const line of (step.run ?? '').replace(/\\\n/g, ' ').split('\n')) {
        // The command word, not a path such as .vitest-memory/report.json.
        const match = /(?:^|[\s;&|])vitest-memory(?=\s|$)/.exec(line)
        if (!match) continue
        const tokens = line
          .slice(match.index)
          .replace(/\$\{\{[^}]*\}\}/g, 'EXPR')
          .split(/\s+/)
          .filter(Boolean)
        out.push({ job: name, tokens: tokens.slice(1) })
      }
    }
  }
  return out
}

const jobCommands = (job: string) =>
  commands()
    .filter(c => c.job === job)
    .map(c => c.tokens.join(' '))
const cacheSteps = () =>
  Object.entries(workflow.jobs).flatMap(([job, j]) => j.steps.filter(s => s.uses?.startsWith('actions/cache')).map(step => ({ job, step })))

const vitestHelp = spawnSync(process.execPath, [VITEST, '--help'], { encoding: 'utf8' }).stdout
/** Vitest's help lists options in camelCase; cac accepts them in kebab-case too. */
const camel = (flag: string) => flag.split('.')[0].replace(/(?<=\w)-(\w)/g, (_, c: string) => c.toUpperCase())
const isVitestFlag = (flag: string) => new RegExp(`^\\s+(-\\w, )?${camel(flag).replace(/[-/\\^$*+?.()|[\]{}]/g, '\\$&')}[\\s<[]`, 'm').test(vitestHelp)

describe('every workflow we ship or show', () => {
  const all = workflows()

  test("includes the example, the release workflow and the docs' whole workflows", () => {
    expect([...all.keys()]).toContain('examples/github-actions/memory.yml')
    expect([...all.keys()]).toContain('.github/workflows/release.yml')
    expect([...all.keys()].some(name => name.startsWith('docs/fast-lane.md:'))).toBe(true)
  })

  test.each([...all.keys()])('%s passes action-validator', name => {
    expect(validate(all.get(name)!)).toBeNull()
  })

  test('the validator rejects what GitHub would reject', () => {
    const dir = mkdtempSync(join(tmpdir(), 'vm-workflow-bad-'))
    const bad = join(dir, 'bad.yml')
    writeFileSync(bad, 'on: push\njobs:\n  a:\n    runs-on: ubuntu-latest\n    stepz:\n      - run: echo\n')
    expect(validate(bad)).toContain('stepz')
  })
})

describe('examples/github-actions/memory.yml', () => {
  test('has the fast and heavy lanes, the plan, the planned shards and the merge', () => {
    expect(Object.keys(workflow.jobs).sort()).toEqual(['fast', 'heavy', 'merge', 'plan', 'shards'])
    expect(workflow.jobs.fast.if).toBe("github.event_name == 'pull_request'")
    expect(workflow.jobs.plan.if).toBe("github.event_name == 'push'")
    expect(workflow.jobs.shards.needs).toBe('plan')
    // biome-ignore lint/suspicious/noTemplateCurlyInString: a GitHub Actions expression, not a template
    expect(workflow.jobs.shards.strategy!.matrix.shard).toBe('${{ fromJSON(needs.plan.outputs.plan).shard }}')
    expect(workflow.jobs.merge.needs).toBe('shards')
  })

  test('the fast lane and the shards leave the heavy files to the heavy lane, and all agree on which they are', () => {
    const heavyAbove = (c: string) => /--memory-intensive-above (\S+)/.exec(c)?.[1]
    const runs = commands()
      .filter(c => c.tokens[0] === 'run')
      .map(c => ({ job: c.job, text: c.tokens.join(' ') }))
    expect(runs.map(r => r.job).sort()).toEqual(['fast', 'heavy', 'shards'])
    for (const { job, text } of runs) {
      expect(text, job).toContain(job === 'heavy' ? '--only-memory-intensive' : '--skip-memory-intensive')
      expect(heavyAbove(text), job).toBe('"$HEAVY"')
    }
    expect(workflow.env?.HEAVY).toMatch(/^\d+(MB|GB)$/)
  })

  test('no job sets a budget of its own: each file is judged by the one in the config, wherever it runs', () => {
    const budgeted = commands().filter(c => c.tokens.some(t => t.split('=')[0] === '--memory-budget'))
    expect(budgeted.map(c => c.tokens.join(' '))).toEqual([])
  })

  test('every job that runs files restores the history from the cache, and none turns it off', () => {
    for (const job of ['fast', 'heavy', 'plan', 'shards', 'merge']) {
      const restores = workflow.jobs[job].steps.filter(s => s.uses?.startsWith('actions/cache/restore@') && s.with?.path === '.vitest-memory/history.json')
      expect(restores, job).toHaveLength(1)
    }
    expect(commands().filter(c => c.tokens.includes('--no-memory-history'))).toEqual([])
  })

  test('every cache key ends with run_id and run_attempt, and each restore finds what the saves wrote', () => {
    const saved = cacheSteps().filter(({ step }) => step.uses!.startsWith('actions/cache/save@'))
    expect(saved.map(s => s.job).sort()).toEqual(['heavy', 'merge', 'merge'])
    for (const { job, step } of cacheSteps()) {
      expect(step.with!.key, job).toMatch(/-\$\{\{ github\.run_id \}\}-\$\{\{ github\.run_attempt \}\}$/)
    }
    for (const { job, step } of cacheSteps().filter(({ step }) => step.uses!.startsWith('actions/cache/restore@'))) {
      const prefix = step.with!['restore-keys']
      expect(prefix, job).toBeTruthy()
      expect(
        saved.some(s => s.step.with!.path === step.with!.path && s.step.with!.key.startsWith(prefix)),
        `${job} restores ${step.with!.path}`,
      ).toBe(true)
    }
  })

  test('the PR comment is posted only for a PR from this repository; the job summary is there for forks too', () => {
    const comment = Object.values(workflow.jobs)
      .flatMap(j => j.steps)
      .filter(s => s.run?.includes('gh pr comment'))
    expect(comment).toHaveLength(1)
    expect(comment[0].if).toContain('github.event.pull_request.head.repo.full_name == github.repository')
    // No expression is pasted into the script: the PR number comes in through the environment.
    expect(comment[0].run).not.toContain('${{')
    expect(workflow.permissions).toEqual({ contents: 'read' })
    expect(workflow.jobs.fast.permissions?.['pull-requests']).toBe('write')
  })

  test('uses the lanes, the plan, the planned shards, the merge and the gate', () => {
    expect(jobCommands('plan').some(c => c.startsWith('plan --shards'))).toBe(true)
    expect(jobCommands('shards').some(c => c.includes('--shard-plan plan.json --shard EXPR'))).toBe(true)
    expect(jobCommands('merge').some(c => c.startsWith('--merge-reports'))).toBe(true)
    expect(jobCommands('fast').some(c => c.startsWith('compare base/report.json'))).toBe(true)
  })

  test('every vitest-memory flag and subcommand it uses exists', () => {
    expect(vitestHelp).toContain('--mergeReports')
    const ours = new Set(FLAGS.map(f => f.flag))
    const unknown: string[] = []
    for (const { tokens } of commands()) {
      const sub = SUBCOMMANDS[tokens[0]]
      for (const token of tokens.filter(t => t.startsWith('-'))) {
        const flag = token.split('=')[0]
        const known = sub ? sub.flags.includes(flag) : ours.has(flag) || isVitestFlag(flag)
        if (!known) unknown.push(`${tokens.join(' ')}: ${flag}`)
      }
      if (!sub && !tokens[0].startsWith('-')) expect(tokens[0], tokens.join(' ')).toBe('run')
    }
    expect(unknown).toEqual([])
  })

  test('the check catches a flag that does not exist', () => {
    expect(isVitestFlag('--merge-reports')).toBe(true)
    expect(isVitestFlag('--outputFile.blob')).toBe(true)
    expect(isVitestFlag('--memory-bugdet')).toBe(false)
    expect(SUBCOMMANDS.compare.flags).toContain('--fail-on-increase')
    expect(SUBCOMMANDS.plan.flags).toContain('--shards')
  })
})
