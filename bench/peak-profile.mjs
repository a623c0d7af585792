// The cost of --heap-profile=peak: the benchmark's heavy suite (6 files holding ~1.5 GB of Buffers +
// 30 light files), and a suite whose memory is V8 objects (each capture there forces a full GC of a
// large heap), each run through the vitest-memory CLI without and with profiling, alternating A/B.
// Called from run.mjs; `node bench/peak-profile.mjs` runs it alone (after `npm run build`).
import { rmSync } from 'node:fs'
import { pathToFileURL } from 'node:url'
import { allocFile, median, runVitest, trivialFile, WORK, writeSuite } from './suite.mjs'

const objectFile = count => `import { expect, test } from 'vitest'

function buildIndex(count: number): { id: number, values: number[] }[] {
  const index = []
  for (let i = 0; i < count; i++) index.push({ id: i, values: new Array(96).fill(i) })
  return index
}

test('builds ~${Math.round((count * 800) / 1e6)} MB of objects', () => {
  expect(buildIndex(${count}).length).toBe(${count})
})
`

function check(run, what) {
  if (run.code !== 0) throw new Error(`${what} failed (exit ${run.code}):\n${run.output.slice(-3000)}`)
  return run
}

async function compare(name, files, rounds, workers) {
  const dir = writeSuite(name, files)
  const off = []
  const peak = []
  for (let r = 0; r < rounds; r++) {
    off.push(check(await runVitest(dir, { pool: 'memory', workers, cli: true, args: ['--no-memory-history'] }), `${name} without profiling`).wallMs)
    peak.push(
      check(
        await runVitest(dir, { pool: 'memory', workers, cli: true, args: ['--no-memory-history', '--heap-profile=peak'] }),
        `${name} with --heap-profile=peak`,
      ).wallMs,
    )
  }
  return { maxWorkers: workers, offMs: median(off), peakMs: median(peak), ratio: median(peak) / median(off), offRunsMs: off, peakRunsMs: peak }
}

export async function peakProfileOverhead(results, rounds) {
  const runs = Math.min(rounds, 3)
  const heavy = {}
  for (let i = 0; i < 6; i++) heavy[`test/heavy-${i}.test.ts`] = allocFile(1400, 1500)
  for (let i = 0; i < 30; i++) heavy[`test/light-${String(i).padStart(2, '0')}.test.ts`] = trivialFile(i)
  const objects = {}
  for (let i = 0; i < 4; i++) objects[`test/objects-${i}.test.ts`] = objectFile(400_000)
  for (let i = 0; i < 10; i++) objects[`test/light-${i}.test.ts`] = trivialFile(i)
  results.peakProfile = {
    heavy: await compare('peak-heavy', heavy, runs, 2),
    objects: await compare('peak-objects', objects, runs, 2),
  }
  const s = ms => `${(ms / 1000).toFixed(2)} s`
  const { heavy: h, objects: o } = results.peakProfile
  console.log(`\n4. --heap-profile=peak, maxWorkers 2, median of ${runs}`)
  console.log(`   heavy suite (6 × ~1.5 GB of Buffers + 30 light): off ${s(h.offMs)} · peak ${s(h.peakMs)} · ratio ${h.ratio.toFixed(2)}`)
  console.log(`   object suite (4 × ~320 MB of objects + 10 light): off ${s(o.offMs)} · peak ${s(o.peakMs)} · ratio ${o.ratio.toFixed(2)}`)
}

if (import.meta.url === pathToFileURL(process.argv[1]).href) {
  const results = {}
  await peakProfileOverhead(results, Number(process.env.BENCH_ROUNDS ?? 3))
  rmSync(WORK, { recursive: true, force: true })
  console.log(JSON.stringify(results, null, 2))
}
