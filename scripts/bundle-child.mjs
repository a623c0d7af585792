// npm run build, after tsc: the test file's process entry (dist/pool/child.js and the 17 modules
// it imports) as one module, dist/pool/child.bundle.js. Every test file starts a process, and on
// a small machine each extra ES module it loads costs ~1 ms of CPU: ~20 ms a file unbundled
// (measured: docs/benchmarks.md, "Where the CPU goes"). Node builtins and packages stay imports.
import { build } from 'rolldown'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'

const dist = join(dirname(fileURLToPath(import.meta.url)), '../dist/pool')

await build({
  input: join(dist, 'child.js'),
  platform: 'node',
  // Builtins and the package's dependencies are loaded as they are.
  external: id => id.startsWith('node:') || !/^[./]/.test(id),
  logLevel: 'warn',
  output: { file: join(dist, 'child.bundle.js'), format: 'esm', sourcemap: false },
})
