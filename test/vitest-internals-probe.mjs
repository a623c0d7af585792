// Run by test/vitest-internals.test.ts with each installed Vitest's own Node: creates that Vitest
// (no run) and reports, as JSON on stdout, whether each internal src/vitest-internals/ relies on is
// there. Arguments: the vitest package folder, this package's dist folder, a scratch root.
import { existsSync, readdirSync, readFileSync } from 'node:fs'
import { join } from 'node:path'
import { pathToFileURL } from 'node:url'

const [vitestDir, dist, root] = process.argv.slice(2)
const url = path => pathToFileURL(path).href
const node = await import(url(join(vitestDir, 'dist/node.js')))
const vitest = await node.createVitest('test', { root, config: false, watch: false, reporters: [] })
const project = vitest.projects[0]
const fn = value => typeof value === 'function'
const { compileTagsFilter, newFileTask, vitestMajor } = await import(url(join(dist, 'vitest-internals/runner-utils.js')))
const { findFileTask, moduleStateInVitest } = await import(url(join(dist, 'vitest-internals/tasks.js')))
const { projectPoolName } = await import(url(join(dist, 'vitest-internals/pool-config.js')))
const { testRunnerSource } = await import(url(join(dist, 'vitest-internals/runner-class.js')))
const tagsFilter = await compileTagsFilter(vitest, ['heavy && !slow'], [{ name: 'heavy' }, { name: 'slow' }])
const fileTask = await newFileTask(project, join(root, 'a.test.ts'))
const runner = testRunnerSource(join(vitestDir, 'dist/workers/forks.js'))
const runnerModule = runner ? await import(runner.url) : null

const report = {
  major: vitestMajor(vitest),
  'vitest.reporters': Array.isArray(vitest.reporters),
  'vitest.distPath': typeof vitest.distPath === 'string' && existsSync(vitest.distPath),
  'vitest.isCancelling': typeof vitest.isCancelling === 'boolean',
  'vitest.state.filesMap': vitest.state?.filesMap instanceof Map,
  'vitest.state.idMap': vitest.state?.idMap instanceof Map,
  'vitest.state.collectFiles': fn(vitest.state?.collectFiles),
  'vitest.state.cancelFiles': fn(vitest.state?.cancelFiles),
  'vitest.state.catchError': fn(vitest.state?.catchError),
  'vitest.state.getReportedEntity': fn(vitest.state?.getReportedEntity),
  'vitest._testRun.enqueued': fn(vitest._testRun?.enqueued),
  'vitest._testRun.updated': fn(vitest._testRun?.updated),
  'vitest._reportFileTask': fn(vitest._reportFileTask),
  // bailAfterMemoryFailure: --bail applied by the pool to a file its memory failed.
  'vitest.state.getCountOfFailedTests': fn(vitest.state?.getCountOfFailedTests),
  'vitest.cancelCurrentRun': fn(vitest.cancelCurrentRun),
  'project.config.pool': projectPoolName(project) === 'forks',
  // namesOwnPool: 5.x records which options the project's author set; 4.1 has no such field.
  'project.config.providedOptions (5.x)': vitestMajor(vitest) < 5 || typeof project.config.providedOptions === 'object',
  'project.vite.environments': typeof project.vite?.environments === 'object',
  'createFileTask (runner utils)': typeof fileTask?.id === 'string' && fileTask.filepath === join(root, 'a.test.ts'),
  'createTagsFilter (runner utils)': fn(tagsFilter) && tagsFilter(['heavy']) === true && tagsFilter(['heavy', 'slow']) === false,
  'findFileTask / moduleStateInVitest':
    findFileTask(vitest, '', join(root, 'a.test.ts')) === undefined && moduleStateInVitest(vitest, join(root, 'a.test.ts'), '') === 'pending',
  'createCLI loader':
    fn(node.createCLI) ||
    /import\s*\{[^}]*?\b[\w$]+ as createCLI\b[^}]*\}\s*from\s*'\.\/chunks\/[^']+'/.test(readFileSync(join(vitestDir, 'dist/cli.js'), 'utf8')),
  // The class's hooks (onBeforeTryTask, onAfterRetryTask, onBeforeCollect, onAfterRunFiles) are
  // wrapped whether the class defines them or not: the class itself is what must be found.
  'TestRunner chunk': runner?.loadedByWorker === true && runnerModule?.[runner.exportName]?.name === 'TestRunner',
  // environment-modules.ts: the builtin environments import their library from a dist chunk.
  'environments chunk': readdirSync(join(vitestDir, 'dist/chunks'))
    .filter(name => name.endsWith('.js'))
    .some(name => /import\(["']jsdom["']\)/.test(readFileSync(join(vitestDir, 'dist/chunks', name), 'utf8'))),
}
await vitest.close()
process.stdout.write(JSON.stringify(report))
