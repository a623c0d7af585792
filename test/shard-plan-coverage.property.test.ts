// Generated shard plans against generated collected files (fast-check): whatever the plan lists
// (stale, partial, with files that no longer exist, relative or absolute, duplicated), the files
// in no shard plus the planned ones cover every collected file, and no planned file is run twice.
import fc from 'fast-check'
import { expect, test } from 'vitest'
import { filesInNoShard } from '../src/cli/unplanned-files.js'
import type { ShardPlan } from '../src/policy/shard-plan.js'

fc.configureGlobal({ seed: Number(process.env.FC_SEED ?? 20261207) })
const CWD = '/project'
const name = fc
  .constantFrom('a', 'b', 'c', 'd', 'e', 'f', 'g', 'h')
  .chain(base => fc.constantFrom(`test/${base}.test.ts`, `./test/${base}.test.ts`, `${CWD}/test/${base}.test.ts`))

test('files in no shard + planned files ⊇ collected; none of them is planned', () => {
  fc.assert(
    fc.property(fc.array(fc.array(name, { maxLength: 4 }), { minLength: 1, maxLength: 4 }), fc.array(name, { maxLength: 8 }), (shards, collected) => {
      const plan: ShardPlan = {
        schemaVersion: 1,
        shard: shards.map((_, i) => i + 1),
        shards: shards.map((files, i) => ({ index: i + 1, files, estimatedDurationMs: 0, heaviestPeakBytes: 0, sumPeakBytes: 0 })),
        unmeasured: [],
      }
      const unplanned = filesInNoShard(plan, collected, CWD)
      const planned = new Set(shards.flat().map(file => (file.startsWith('/') ? file : `${CWD}/${file.replace(/^\.\//, '')}`)))
      for (const file of collected) {
        const absolute = file.startsWith('/') ? file : `${CWD}/${file.replace(/^\.\//, '')}`
        expect(planned.has(absolute) || unplanned.includes(absolute)).toBe(true)
      }
      for (const file of unplanned) expect(planned.has(file)).toBe(false)
      expect(new Set(unplanned).size).toBe(unplanned.length)
    }),
    { numRuns: 300 },
  )
})
