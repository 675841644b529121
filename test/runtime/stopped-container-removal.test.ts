import { existsSync, readFileSync } from 'node:fs';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { parseProcessStat } from '../../src/runtime/process-stat.ts';
import { removeStoppedContainer } from '../../src/runtime/stopped-container-removal.ts';
import { reapedPid } from '../helpers/reaped-pid.ts';

// Plain directories stand in for cgroups (rmdir treats both alike); real runc containers are
// covered by runc-runtime-lifecycle.int.test.ts.
let dir: string;
let containerDir: string;
let cgroups: string[];

beforeEach(async () => {
  dir = await mkdtemp(path.join(tmpdir(), 'taskledger-removal-'));
  containerDir = path.join(dir, 'runc', 'web');
  cgroups = [path.join(dir, 'cpu', 'web'), path.join(dir, 'memory', 'web')];
  await mkdir(containerDir, { recursive: true });
  for (const cgroup of cgroups) await mkdir(path.join(cgroup, 'child'), { recursive: true });
});

afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

/** This process's start time in clock ticks (field 22 of /proc/self/stat). */
const ownStartTime = (): number =>
  Number(parseProcessStat(readFileSync('/proc/self/stat', 'utf8')).startTime);

async function writeState(overrides: Record<string, unknown> = {}, config = {}): Promise<void> {
  const state = {
    id: 'web',
    init_process_pid: await reapedPid(),
    init_process_start: 12345,
    cgroup_paths: { cpu: cgroups[0], memory: cgroups[1] },
    intel_rdt_path: '',
    config: {
      namespaces: [
        { type: 'NEWPID', path: '' },
        { type: 'NEWNS', path: '' },
      ],
      Hooks: { poststart: null, poststop: null },
      ...config,
    },
    ...overrides,
  };
  await writeFile(path.join(containerDir, 'state.json'), JSON.stringify(state));
}

const nothingRemoved = (): void => {
  expect(existsSync(path.join(containerDir, 'state.json'))).toBe(true);
  expect(cgroups.every((cgroup) => existsSync(cgroup))).toBe(true);
};

describe('removing a stopped runc container in-process', () => {
  it('removes the cgroups, children first, then the state directory', async () => {
    await writeState();
    expect(await removeStoppedContainer(containerDir)).toBe(true);
    expect(cgroups.filter((cgroup) => existsSync(cgroup))).toEqual([]);
    expect(existsSync(containerDir)).toBe(false);
  });

  it('takes a cgroup already gone as removed', async () => {
    await writeState();
    await rm(path.join(cgroups[0]!, 'child'), { recursive: true });
    await rm(cgroups[1]!, { recursive: true });
    expect(await removeStoppedContainer(containerDir)).toBe(true);
    expect(cgroups.filter((cgroup) => existsSync(cgroup))).toEqual([]);
    expect(existsSync(containerDir)).toBe(false);
  });

  it('removes a state directory holding more than state.json too', async () => {
    await writeState();
    await writeFile(path.join(containerDir, 'exec.fifo'), ''); // left when killed before its start
    await mkdir(path.join(containerDir, 'checkpoint'));
    expect(await removeStoppedContainer(containerDir)).toBe(true);
    expect(existsSync(containerDir)).toBe(false);
  });

  it('leaves a container whose init still runs to runc', async () => {
    await writeState({ init_process_pid: process.pid, init_process_start: ownStartTime() });
    expect(await removeStoppedContainer(containerDir)).toBe(false);
    nothingRemoved();
  });

  it('treats a reused pid (another start time) as a stopped init', async () => {
    await writeState({ init_process_pid: process.pid, init_process_start: ownStartTime() + 1 });
    expect(await removeStoppedContainer(containerDir)).toBe(true);
  });

  it('leaves poststop hooks, shared PID namespaces and Intel RDT to runc', async () => {
    await writeState({}, { Hooks: { poststop: [{ path: '/bin/true' }] } });
    expect(await removeStoppedContainer(containerDir)).toBe(false);
    await writeState({}, { namespaces: [{ type: 'NEWPID', path: '/proc/1/ns/pid' }] });
    expect(await removeStoppedContainer(containerDir)).toBe(false);
    await writeState({}, { namespaces: [{ type: 'NEWNS', path: '' }] });
    expect(await removeStoppedContainer(containerDir)).toBe(false);
    await writeState({ intel_rdt_path: '/sys/fs/resctrl/web' });
    expect(await removeStoppedContainer(containerDir)).toBe(false);
    nothingRemoved();
  });

  it('leaves a container without a readable state to runc', async () => {
    expect(await removeStoppedContainer(containerDir)).toBe(false);
    await writeFile(path.join(containerDir, 'state.json'), '{not json');
    expect(await removeStoppedContainer(containerDir)).toBe(false);
    expect(existsSync(containerDir)).toBe(true);
  });
});
