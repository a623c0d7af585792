// The orchestrator driven with fakes (test/fakes/orchestrator.ts), no process spawned: the worker's
// lifecycle, a file run to its end, a crash, the kill at the hard limit, an abort, a shared batch
// and a spare, each checked by what Vitest, the run's state and the process were told.
import { afterEach, beforeEach, describe, expect, test, vi } from 'vitest'
import { BATCH_MARK, FILE_BOUNDARY_KEY, JUDGE_MARK, isWorkerResponse } from '../src/pool/protocol.js'
import type { SpareProcesses } from '../src/pool/spares.js'
import { MemoryPoolWorker } from '../src/pool/worker.js'
import { runSession } from '../src/run-session.js'
import { fakeDeps, fileAt, options, poolOptions, settle, type FakeProcess } from './fakes/orchestrator.js'

const A = fileAt('a.test.ts')
const B = fileAt('b.test.ts')
const C = fileAt('c.test.ts')

const startRequest = { __vitest_worker_request__: true, type: 'start', context: { config: {} } }
const runRequest = (...files: string[]) => ({
  __vitest_worker_request__: true,
  type: 'run',
  context: { files: files.map(filepath => ({ filepath, testLocations: undefined })) },
})
const stopRequest = { __vitest_worker_request__: true, type: 'stop' }

type Setup = { isolate?: boolean; given?: Parameters<typeof options>[0] }

/** A started worker with fakes, Vitest's start request sent, and what Vitest hears collected. */
async function startedWorker({ isolate = true, given = {} }: Setup = {}) {
  const fakes = fakeDeps()
  const worker = new MemoryPoolWorker('vitest-memory', poolOptions(isolate), options(given), fakes.deps)
  const heard: any[] = []
  worker.on('message', message => heard.push(message))
  await worker.start()
  worker.send(startRequest as never)
  const finished = () => heard.filter(message => isWorkerResponse(message, 'testfileFinished'))
  return { ...fakes, worker, heard, finished }
}

const boundary = (type: 'start' | 'end', file: string, vitestMemory?: Record<string, unknown>) => ({
  [FILE_BOUNDARY_KEY]: type === 'start' ? { type, file } : { type, file, vitestMemory },
})

beforeEach(() => {
  // A crash waits for the dead process's pipes with a bounded timer: faked, so none is left running.
  vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout', 'setInterval', 'clearInterval'] })
})

afterEach(() => {
  vi.useRealTimers()
  // SharedLifecycle numbers shared processes on the run session.
  runSession().end()
})

describe('start and stop', () => {
  test('start() moves idle to started and spawns nothing; stop() is final: a stopped worker refuses to start', async () => {
    const { deps, factory } = fakeDeps()
    const worker = new MemoryPoolWorker('vitest-memory', poolOptions(true), options(), deps)
    expect(worker.lifecycle.state).toBe('idle')
    await worker.start()
    expect(worker.lifecycle.state).toBe('started')
    await worker.start() // a second start of a started worker changes nothing
    expect(worker.lifecycle.state).toBe('started')
    expect(factory.processes).toHaveLength(0)
    await worker.stop()
    expect(worker.lifecycle.state).toBe('stopped')
    await expect(worker.start()).rejects.toThrow('a stopped pool worker cannot start again')
  })

  test("Vitest's start request is answered by the worker itself, before any process exists", async () => {
    const { heard, factory } = await startedWorker()
    await settle()
    expect(heard).toEqual([{ __vitest_worker_response__: true, type: 'started' }])
    expect(factory.processes).toHaveLength(0)
  })
})

describe('a file run to its end', () => {
  test('a process is made for the file, replays the start request, and the measurement is taken by the clock', async () => {
    const { worker, factory, run, vitest, clock, machine, finished } = await startedWorker()
    worker.send({ type: 'early-rpc' } as never) // Vitest talks before there is a process: kept for it
    worker.send(runRequest(A) as never)
    const process = await factory.process(0)
    expect(factory.boots[0]).toMatchObject({ file: A, shared: false, startRequest, pending: [{ type: 'early-rpc' }] })
    expect(process.sent.slice(0, 2)).toEqual([startRequest, { type: 'early-rpc' }])
    const request = await process.nextRequest()
    expect(request.context.files.map(spec => spec.filepath)).toEqual([A])
    expect(request[JUDGE_MARK]).toEqual([]) // no budget: nothing for the child to ask about
    expect(worker.lifecycle.state).toBe('running')
    expect(machine.peaksReset).toEqual([process.pid]) // the file's peak starts at its handover
    expect(run.liveWorkers.has(worker)).toBe(true)

    clock.advance(1234)
    process.sample(80e6, 60e6)
    process.finish({ peakRssBytes: 60e6, method: 'procfs' })
    await settle()

    expect(run.measurements).toHaveLength(1)
    expect(run.measurements[0]).toMatchObject({
      file: A,
      project: 'unit',
      pid: process.pid,
      method: 'procfs',
      peakRssBytes: 60e6,
      treePeakRssBytes: 80e6,
      durationMs: 1234,
    })
    expect(vitest.attached).toEqual(run.measurements)
    expect(vitest.failed).toEqual([])
    expect(finished()).toEqual([{ __vitest_worker_response__: true, type: 'testfileFinished', vitestMemory: { peakRssBytes: 60e6, method: 'procfs' } }])
    expect(run.entries('file-end')).toMatchObject([{ file: 'test/a.test.ts', pid: process.pid, state: 'pass', durationMs: 1234 }])
    expect(worker.lifecycle.state).toBe('ready')

    worker.send(stopRequest as never)
    expect(process.stopping).toBe(true)
    expect(process.sent.at(-1)).toBe(stopRequest) // Vitest's worker answers it itself
    await worker.stop()
    expect(process.stopped).toBe(true)
    expect(run.liveWorkers.has(worker)).toBe(false)
    expect(worker.lifecycle.state).toBe('stopped')
  })

  test('a file over its budget is failed in Vitest before Vitest hears that it finished', async () => {
    const { worker, factory, vitest, finished } = await startedWorker({ given: { budget: '100MB' } })
    worker.send(runRequest(A) as never)
    const process = await factory.process(0)
    expect((await process.nextRequest())[JUDGE_MARK]).toEqual([A])
    process.sample(150e6)
    process.finish({ peakRssBytes: 150e6, method: 'procfs' })
    await settle()
    expect(vitest.failedFinished).toHaveLength(1)
    expect(vitest.failedFinished[0]!.file).toBe(A)
    expect(vitest.failedFinished[0]!.error.message).toContain('test/a.test.ts')
    expect(finished()).toHaveLength(1)
  })
})

describe('a crash mid-file', () => {
  test('the file fails in Vitest with the crash explained; Vitest hears a finished file, not an exited worker', async () => {
    const { worker, factory, run, vitest, clock, finished } = await startedWorker()
    worker.send(runRequest(A) as never)
    const process = await factory.process(0)
    await process.nextRequest()
    process.emit({ __vitest_memory_test__: 'test-id-1' })
    clock.advance(300)
    process.sample(90e6)
    process.exit(null, 'SIGSEGV')
    await settle()

    expect(vitest.failed).toHaveLength(1)
    const [failure] = vitest.failed
    expect(failure!.file).toBe(A)
    expect(failure!.error.name).toBe('TestFileCrashed')
    expect(failure!.error.message).toContain(`the process running test/a.test.ts (pid ${process.pid}) was killed by SIGSEGV after`)
    expect(failure!.error.message).toContain('likely cause: a native crash (SIGSEGV)')
    expect(failure!.durationMs).toBe(300)
    expect(vitest.startedTests).toEqual(['test-id-1']) // the error lands on the test that was running
    expect(run.measurements).toMatchObject([{ file: A, crash: { state: 'crash', signal: 'SIGSEGV' } }])
    expect(finished()).toEqual([{ __vitest_worker_response__: true, type: 'testfileFinished' }])
    expect(run.liveWorkers.has(worker)).toBe(false)
    expect(worker.lifecycle.state).toBe('started')
  })

  test('a shared worker runs its next file on a fresh process', async () => {
    const { worker, factory, vitest, run, finished } = await startedWorker({ isolate: false })
    worker.send(runRequest(A) as never)
    const first = await factory.process(0)
    await first.nextRequest()
    first.exit(1, null)
    await settle()
    worker.send(runRequest(B) as never)
    const second = await factory.process(1)
    expect(second).not.toBe(first)
    expect((await second.nextRequest()).context.files.map(spec => spec.filepath)).toEqual([B])
    second.finish()
    await settle()
    expect(vitest.failed.map(failure => failure.file)).toEqual([A])
    expect(run.measurements.map(m => [m.file, m.crash?.state ?? 'finished'])).toEqual([
      [A, 'crash'],
      [B, 'finished'],
    ])
    expect(finished()).toHaveLength(2)
  })
})

describe('a process that cannot start', () => {
  // Vitest's worker answered its start request with an error (a missing or throwing environment).
  test("its file fails in Vitest's state as not started, and is not measured", async () => {
    const { worker, factory, run, vitest, finished } = await startedWorker()
    factory.autoStart = false
    worker.send(runRequest(A) as never)
    const process = await factory.process(0)
    process.failStart({ name: 'Error', message: 'Failed to load url jsdom' })
    await settle()
    expect(vitest.notStarted).toEqual([{ file: A, relativeFile: 'test/a.test.ts', message: 'Failed to load url jsdom' }])
    expect(finished()).toEqual([{ __vitest_worker_response__: true, type: 'testfileFinished' }])
    expect(run.measurements).toEqual([])
  })

  test("when Vitest's state cannot take the file, the start error rides on the answer, naming the file", async () => {
    const { worker, factory, vitest, finished } = await startedWorker()
    vitest.takesNotStarted = false
    factory.autoStart = false
    worker.send(runRequest(A) as never)
    const process = await factory.process(0)
    process.failStart(new Error('the environment threw'))
    await settle()
    expect(finished()).toMatchObject([
      { type: 'testfileFinished', error: { message: '[vitest-memory]: the test process for test/a.test.ts failed to start: the environment threw' } },
    ])
  })
})

describe('the hard limit', () => {
  test('a sample over the limit kills the process tree; the file fails with the limit named', async () => {
    const { worker, factory, run, vitest, clock } = await startedWorker({ given: { memoryLimit: '100MB' } })
    worker.send(runRequest(A) as never)
    const process = await factory.process(0)
    await process.nextRequest()
    expect(run.entries('file-start')).toMatchObject([{ file: 'test/a.test.ts', limitBytes: 100e6 }])
    process.sample(90e6)
    expect(process.killed).toBe(false)
    clock.advance(250)
    process.sample(150e6)
    expect(process.killed).toBe(true) // at the sample itself, not at the next one
    await settle()

    expect(vitest.failed).toHaveLength(1)
    expect(vitest.failed[0]!.error.name).toBe('MemoryLimitExceeded')
    expect(vitest.failed[0]!.error.message).toContain(
      `killed by vitest-memory: tree RSS 150 MB exceeded limit 100 MB after 250 ms (heaviest: ${process.pid} the test file's own process)`,
    )
    expect(run.measurements).toMatchObject([{ file: A, limitBytes: 100e6, crash: { state: 'killed', signal: 'SIGKILL' } }])
  })
})

describe('abort', () => {
  test('SIGTERM: abort() kills the tree synchronously and says what was running; the death is no crash', async () => {
    const { worker, factory, run, vitest, clock, finished } = await startedWorker()
    expect(worker.abort('SIGTERM')).toBeNull() // no process: nothing to kill
    worker.send(runRequest(A) as never)
    const process = await factory.process(0)
    await process.nextRequest()
    process.sample(70e6)
    clock.advance(500)

    run.abortingSignal = 'SIGTERM'
    const said = worker.abort('SIGTERM')
    expect(process.killed).toBe(true)
    expect(process.sampler.stopped).toBe(true)
    expect(said).toEqual({ file: 'test/a.test.ts', pid: process.pid, treeRssBytes: 70e6, runningMs: 500 })
    expect(run.measurements).toMatchObject([{ file: A, crash: { state: 'aborted', cause: 'runner-aborted', signal: 'SIGTERM' } }])
    await settle()
    expect(vitest.failed).toEqual([])
    expect(finished()).toEqual([])
  })
})

describe('a shared batch (isolate: false)', () => {
  test('runs whole on one process; a crash fails only the file in flight and the rest run on a fresh process', async () => {
    const { worker, factory, run, vitest, finished } = await startedWorker({ isolate: false })
    worker.send(runRequest(A, B, C) as never)
    const first = await factory.process(0)
    const batch = await first.nextRequest()
    expect(batch[BATCH_MARK]).toBe(true)
    expect(batch.context.files.map(spec => spec.filepath)).toEqual([A, B, C])

    first.emit(boundary('start', A))
    first.sample(40e6)
    first.emit(boundary('end', A, { peakRssBytes: 40e6, method: 'procfs' }))
    first.emit(boundary('start', B))
    first.exit(null, 'SIGSEGV')
    await settle()

    const second = await factory.process(1)
    const rest = await second.nextRequest()
    expect(rest[BATCH_MARK]).toBe(true)
    expect(rest.context.files.map(spec => spec.filepath)).toEqual([C]) // B is not run again
    second.emit(boundary('start', C))
    second.emit(boundary('end', C, { peakRssBytes: 30e6, method: 'procfs' }))
    second.finish(undefined)
    await settle()

    expect(vitest.failed.map(failure => failure.file)).toEqual([B])
    expect(run.measurements.map(m => [m.file, m.crash?.state ?? 'finished', m.shared?.process])).toEqual([
      [A, 'finished', 1],
      [B, 'crash', 1],
      [C, 'finished', 2],
    ])
    expect(factory.processes).toHaveLength(2)
    expect(finished()).toHaveLength(1) // one request, one answer
  })

  test('split per file when the pool must act between files: one request per file, all on one process', async () => {
    // Recycling on: the pool may replace the process between two files, so it sends them one by one.
    const { worker, factory, run, finished } = await startedWorker({ isolate: false, given: { recycleAbove: '1GB' } })
    worker.send(runRequest(A, B) as never)
    const process = await factory.process(0)
    const first = await process.nextRequest()
    expect(first[BATCH_MARK]).toBeUndefined()
    expect(first.context.files.map(spec => spec.filepath)).toEqual([A])
    process.finish()
    const second = await process.nextRequest()
    expect(second.context.files.map(spec => spec.filepath)).toEqual([B])
    process.finish()
    await settle()
    expect(factory.processes).toHaveLength(1)
    expect(run.measurements.map(m => [m.file, m.shared?.order])).toEqual([
      [A, 1],
      [B, 2],
    ])
    expect(finished()).toHaveLength(1)
  })

  test('a process holding more than recycleAbove after a file is replaced before the next one', async () => {
    const { worker, factory } = await startedWorker({ isolate: false, given: { recycleAbove: '1GB' } })
    worker.send(runRequest(A, B) as never)
    const first = await factory.process(0)
    await first.nextRequest()
    first.finish({ peakRssBytes: 1.5e9, method: 'procfs', shared: { endRssBytes: 1.5e9 } })
    const second = await factory.process(1)
    expect(first.stopped).toBe(true)
    expect((await second.nextRequest()).context.files.map(spec => spec.filepath)).toEqual([B])
  })
})

describe('spares', () => {
  test("a file's process is asked of the run's spares, and refills them; its time starts at the handover", async () => {
    const { worker, factory, run, clock } = await startedWorker()
    const spares = { spares: 'of the run' } as unknown as SpareProcesses
    run.spares = spares
    factory.autoStart = false
    factory.preloadedEnvironment = 'jsdom' // the fake took a spare that loaded jsdom ahead
    worker.send(runRequest(A) as never)
    const process: FakeProcess = await factory.process(0)
    expect(factory.boots[0]).toMatchObject({ spares, refillSpares: true })
    expect(run.entries('file-boot')).toMatchObject([{ file: 'test/a.test.ts', pid: process.pid }])
    clock.advance(700) // booting: not the file's time
    process.answerStart()
    await process.nextRequest()
    clock.advance(200)
    process.finish()
    await settle()
    expect(run.measurements).toMatchObject([{ file: A, durationMs: 200, preloadedEnvironment: 'jsdom' }])
  })

  // TestProcess refills the spares inside its start(); under 'auto' that asks the --max-memory gate
  // what the admitted files hold, this file's too, whose process is not booted yet.
  test("the gate reading a file's process while it starts (spares refilled) sees nothing yet, and the file runs", async () => {
    const { worker, factory, run, vitest } = await startedWorker()
    run.withGate()
    const readDuringStart: number[] = []
    factory.duringStart = () => readDuringStart.push(...run.admitted.map(currentBytes => currentBytes()))
    worker.send(runRequest(A) as never)
    const process = await factory.process(0)
    await settle()
    expect(vitest.notStarted).toEqual([])
    expect(process.requests()).toHaveLength(1)
    expect(readDuringStart).toEqual([0])
    process.sample(60e6)
    expect(run.admitted[0]!()).toBe(60e6)
    process.finish()
    await settle()
    expect(vitest.failed).toEqual([])
    expect(run.measurements).toMatchObject([{ file: A }])
  })

  test('a shared process that is never recycled takes a spare but boots no replacement', async () => {
    const { worker, factory, run } = await startedWorker({ isolate: false })
    run.spares = {} as SpareProcesses
    worker.send(runRequest(A) as never)
    await factory.process(0)
    expect(factory.boots[0]).toMatchObject({ shared: true, spares: run.spares, refillSpares: false })
  })

  test('a shared process boots one successor ahead only once its RSS after a file nears recycleAbove', async () => {
    const { worker, factory } = await startedWorker({ isolate: false, given: { recycleAbove: '1GB' } })
    worker.send(runRequest(A, B, C) as never)
    const process = await factory.process(0)
    expect(factory.boots[0]).toMatchObject({ shared: true, refillSpares: false })
    await process.nextRequest()
    process.finish({ peakRssBytes: 5e8, method: 'procfs', shared: { endRssBytes: 5e8 } }) // half the threshold: no successor
    await process.nextRequest()
    expect(process.successorsBooted).toBe(0)
    process.finish({ peakRssBytes: 8.5e8, method: 'procfs', shared: { endRssBytes: 8.5e8 } }) // 85 %: its successor boots
    await process.nextRequest()
    expect(process.successorsBooted).toBe(1)
    expect(factory.processes).toHaveLength(1)
  })
})
