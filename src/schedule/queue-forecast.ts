// The run's queue as the sequencer ordered it, with each file's test environment, so the spare
// processes booted ahead load the environment of the files that will actually come next.
// Known only when MemorySequencer sorted the run (the CLI installs it); otherwise the spares
// follow the environments of the files just started.
import { readFile } from 'node:fs/promises'
import type { TestSpecification } from 'vitest/node'
import { measurementKey, runSession } from '../run-session.js'
import type { QueuedFile } from '../model.js'

/** Vitest's own reading of a file's environment comment (getSpecificationsOptions in its pool). */
const ENVIRONMENT_COMMENT = /@(?:vitest|jest)-environment\s+([\w-]+)\b/

/** Records the order Vitest will start the files in, with the environment each one asks for. */
export async function recordQueue(sorted: readonly TestSpecification[]): Promise<void> {
  const sources = new Map<string, Promise<string>>()
  const queue: QueuedFile[] = await Promise.all(
    sorted.map(async spec => {
      let source = sources.get(spec.moduleId)
      if (!source) {
        source = readFile(spec.moduleId, 'utf8').catch(() => '')
        sources.set(spec.moduleId, source)
      }
      return {
        key: measurementKey(spec.project.name, spec.moduleId),
        project: spec.project.name,
        environment: fileEnvironment(await source, spec.project.config.environment),
      }
    }),
  )
  runSession().queue = queue
}

export function fileEnvironment(source: string, projectEnvironment: string | undefined): string {
  return ENVIRONMENT_COMMENT.exec(source)?.[1] ?? (projectEnvironment || 'node')
}

/** The queued files no worker has taken yet, in order; null when the queue is unknown. */
function untakenFiles(): QueuedFile[] | null {
  const { queue, tagging } = runSession()
  // A file a worker took has its tags recorded (before its process starts, or instead of it).
  return queue ? queue.filter(file => !tagging.has(file.key)) : null
}

/** The environments of the next `count` files of `project` that no worker has taken yet. */
export function upcomingEnvironments(project: string, count: number): string[] {
  return (untakenFiles() ?? [])
    .filter(file => file.project === project)
    .slice(0, count)
    .map(file => file.environment)
}

/** How many files of the run no worker has taken yet, or null when the queue is unknown. */
export function filesToCome(): number | null {
  return untakenFiles()?.length ?? null
}
