// examples/github-actions/memory.yml must be valid YAML, and every vitest-memory command in it
// must be one this package really has: flags from the FLAGS table, subcommands from the dispatch
// table, and anything passed on to Vitest must be in `vitest --help`.
import { spawnSync } from 'node:child_process'
import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { parse } from 'yaml'
import { describe, expect, test } from 'vitest'
import { FLAGS } from '../src/cli/args.js'
import { SUBCOMMANDS } from '../src/cli/commands.js'
import { ROOT, VITEST } from './helpers.js'

interface Step { run?: string, name?: string, uses?: string }
interface Job { steps: Step[], needs?: string | string[], strategy?: { matrix: Record<string, unknown> } }

const workflow = parse(readFileSync(join(ROOT, 'examples/github-actions/memory.yml'), 'utf8')) as { jobs: Record<string, Job> }

/** Each `vitest-memory …` command in the workflow's run steps, as tokens (expressions kept whole). */
function commands(): string[][] {
  const out: string[][] = []
  for (const job of Object.values(workflow.jobs)) {
    for (const step of job.steps) {
      for (const line of (step.run ?? '').replace(/\\\n/g, ' ').split('\n')) {
        // The command word, not a path such as .vitest-memory/report.json.
        const match = /(?:^|[\s;&|])vitest-memory(?=\s|$)/.exec(line)
        if (!match) continue
        const tokens = line.slice(match.index).replace(/\$\{\{[^}]*\}\}/g, 'EXPR').split(/\s+/).filter(Boolean)
        out.push(tokens.slice(1))
      }
    }
  }
  return out
}

const vitestHelp = spawnSync(process.execPath, [VITEST, '--help'], { encoding: 'utf8' }).stdout
/** Vitest's help lists options in camelCase; cac accepts them in kebab-case too. */
const camel = (flag: string) => flag.split('.')[0].replace(/(?<=\w)-(\w)/g, (_, c: string) => c.toUpperCase())
const isVitestFlag = (flag: string) => new RegExp(`^\\s+(-\\w, )?${camel(flag).replace(/[-/\\^$*+?.()|[\]{}]/g, '\\$&')}[\\s<[]`, 'm').test(vitestHelp)

describe('examples/github-actions/memory.yml', () => {
  test('is valid YAML with the fast, heavy, plan, shards and merge jobs', () => {
    expect(Object.keys(workflow.jobs).sort()).toEqual(['fast', 'heavy', 'merge', 'plan', 'shards'])
    expect(workflow.jobs.shards.needs).toBe('plan')
    expect(workflow.jobs.shards.strategy!.matrix.shard).toBe('${{ fromJSON(needs.plan.outputs.plan).shard }}')
    expect(workflow.jobs.merge.needs).toBe('shards')
    const uses = workflow.jobs.merge.steps.map(s => s.uses ?? '')
    expect(uses.some(u => u.startsWith('actions/upload-artifact@'))).toBe(true)
    expect(workflow.jobs.merge.steps.some(s => s.run?.includes('gh pr comment'))).toBe(true)
  })

  test('uses the fast lane, the heavy lane, the plan, the planned shards, the merge and the gate', () => {
    const text = commands().map(c => c.join(' '))
    expect(text.some(c => c.startsWith('run --skip-memory-intensive'))).toBe(true)
    expect(text.some(c => c.startsWith('run --only-memory-intensive'))).toBe(true)
    expect(text.some(c => c.startsWith('plan --shards'))).toBe(true)
    expect(text.some(c => c.includes('--shard-plan plan.json --shard EXPR'))).toBe(true)
    expect(text.some(c => c.startsWith('--merge-reports'))).toBe(true)
    expect(text.some(c => c.startsWith('compare '))).toBe(true)
  })

  test('every vitest-memory flag and subcommand it uses exists', () => {
    expect(vitestHelp).toContain('--mergeReports')
    const ours = new Set(FLAGS.map(f => f.flag))
    const unknown: string[] = []
    for (const tokens of commands()) {
      const sub = SUBCOMMANDS[tokens[0]]
      for (const token of tokens.filter(t => t.startsWith('-'))) {
        const flag = token.split('=')[0]
        const known = sub
          ? sub.flags.includes(flag)
          : ours.has(flag) || isVitestFlag(flag)
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
