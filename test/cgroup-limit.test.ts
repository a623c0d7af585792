// The container's memory limit is the one of this process's own cgroup (and its ancestors), in
// cgroup v2 and in v1, which CI runners and older Docker hosts still use: never the host's memory.
import { expect, test } from 'vitest'
import { availableMemoryBytes, readCgroupLimit } from '../src/measure/machine.js'

const GB = 1e9
const V1_UNLIMITED = '9223372036854771712'
const files = (entries: Record<string, string>) => (path: string) => entries[path] ?? null

test('cgroup v1: the limit of the process cgroup, not the unlimited root of the hierarchy', () => {
  const read = files({
    '/proc/self/cgroup': '9:systemd:/\n4:memory:/ci/job-7\n1:cpu:/\n0::/',
    '/sys/fs/cgroup/memory/memory.limit_in_bytes': V1_UNLIMITED,
    '/sys/fs/cgroup/memory/ci/memory.limit_in_bytes': V1_UNLIMITED,
    '/sys/fs/cgroup/memory/ci/job-7/memory.limit_in_bytes': String(2 * GB),
    '/sys/fs/cgroup/memory/ci/job-7/memory.usage_in_bytes': String(0.5 * GB),
  })
  expect(readCgroupLimit(read)).toBe(2 * GB)
  expect(availableMemoryBytes(read)).toBeLessThanOrEqual(1.5 * GB)
})

test('cgroup v1: a parent\'s limit binds a child without one; "unlimited" is no limit', () => {
  expect(
    readCgroupLimit(
      files({
        '/proc/self/cgroup': '4:cpuacct,memory:/pod/app',
        '/sys/fs/cgroup/memory/memory.limit_in_bytes': V1_UNLIMITED,
        '/sys/fs/cgroup/memory/pod/memory.limit_in_bytes': String(3 * GB),
        '/sys/fs/cgroup/memory/pod/app/memory.limit_in_bytes': V1_UNLIMITED,
      }),
    ),
  ).toBe(3 * GB)
  expect(
    readCgroupLimit(
      files({
        '/proc/self/cgroup': '4:memory:/',
        '/sys/fs/cgroup/memory/memory.limit_in_bytes': V1_UNLIMITED,
      }),
    ),
  ).toBeNull()
})

test('cgroup v1 in a container whose own cgroup is mounted as the root: the root applies', () => {
  expect(
    readCgroupLimit(
      files({
        '/proc/self/cgroup': '4:memory:/docker/abc',
        '/sys/fs/cgroup/memory/memory.limit_in_bytes': String(1 * GB),
      }),
    ),
  ).toBe(1 * GB)
})

test('cgroup v2: the process cgroup and its ancestors, "max" is no limit; a namespaced root as before', () => {
  expect(
    readCgroupLimit(
      files({
        '/proc/self/cgroup': '0::/user.slice/ci.scope',
        '/sys/fs/cgroup/cgroup.controllers': 'cpu memory',
        '/sys/fs/cgroup/user.slice/memory.max': String(4 * GB),
        '/sys/fs/cgroup/user.slice/ci.scope/memory.max': 'max',
      }),
    ),
  ).toBe(4 * GB)
  expect(readCgroupLimit(files({ '/proc/self/cgroup': '0::/', '/sys/fs/cgroup/memory.max': String(5 * GB) }))).toBe(5 * GB)
  expect(readCgroupLimit(files({ '/proc/self/cgroup': '0::/', '/sys/fs/cgroup/memory.max': 'max' }))).toBeNull()
  expect(readCgroupLimit(files({}))).toBeNull()
})
