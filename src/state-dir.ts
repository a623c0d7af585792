// The folders vitest-memory writes into. A `.vitest-memory/` folder gets a `.gitignore` of `*` when
// we write into it and it has none (as pytest does for .pytest_cache), so its reports, history and
// journal never land in a commit by accident. A `.gitignore` already there, the user's own or ours,
// is never touched: a user who wants the folder in git writes their own (or keeps the history
// elsewhere with --memory-history PATH).
import { mkdirSync, writeFileSync } from 'node:fs'
import { basename, dirname, join } from 'node:path'

export const STATE_DIR_NAME = '.vitest-memory'

/** How far up from a written folder a `.vitest-memory/` is looked for: ours nest at most two deep (`.vitest-memory/profiles/inflight`). */
const STATE_DIR_SEARCH_DEPTH = 3

export const STATE_DIR_GITIGNORE = [
  '# Written by vitest-memory: its reports, history and journal are not meant for commits.',
  '# To keep a history in git, write it elsewhere (--memory-history PATH) or replace this file.',
  '*',
  '',
].join('\n')

/** Creates the folder a file is about to be written into (and its parents), as `mkdirSync(…, { recursive: true })`. */
export function makeDirFor(path: string): void {
  makeDir(dirname(path))
}

export function makeDir(dir: string): void {
  mkdirSync(dir, { recursive: true })
  let folder = dir
  for (let depth = 0; depth < STATE_DIR_SEARCH_DEPTH; depth++) {
    if (basename(folder) === STATE_DIR_NAME) {
      ignoreInGit(folder)
      return
    }
    if (dirname(folder) === folder) return
    folder = dirname(folder)
  }
}

function ignoreInGit(folder: string): void {
  try {
    // 'wx': created only where nothing is, not even a link: a file already there is left as it is.
    writeFileSync(join(folder, '.gitignore'), STATE_DIR_GITIGNORE, { flag: 'wx' })
  } catch {
    // Already there, or a folder we cannot write to (then the file we came for fails with its own message).
  }
}
