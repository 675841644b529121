import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { pruneCgroupParents } from '../../src/runtime/cgroup-prune.ts';

const roots: string[] = [];

afterAll(async () => {
  for (const root of roots) await rm(root, { recursive: true, force: true });
});

describe('cgroup parent pruning', () => {
  it("removes the instance's empty namespace cgroups in every hierarchy, and keeps busy ones", async () => {
    // Plain directories stand in for cgroupfs: rmdir fails on both when something is inside.
    const root = await mkdtemp(path.join(tmpdir(), 'taskledger-cgroups-'));
    roots.push(root);
    await mkdir(path.join(root, 'memory/taskledger/abc/default'), { recursive: true });
    await mkdir(path.join(root, 'cpu/taskledger/abc/idle'), { recursive: true });
    await mkdir(path.join(root, 'cpu/taskledger/abc/busy/web'), { recursive: true });
    await mkdir(path.join(root, 'memory/taskledger/other/default'), { recursive: true });

    await pruneCgroupParents('/taskledger/abc', root);

    expect(existsSync(path.join(root, 'memory/taskledger/abc'))).toBe(false);
    expect(existsSync(path.join(root, 'cpu/taskledger/abc/idle'))).toBe(false);
    expect(existsSync(path.join(root, 'cpu/taskledger/abc/busy/web'))).toBe(true);
    expect(existsSync(path.join(root, 'memory/taskledger/other/default'))).toBe(true);
    expect(existsSync(path.join(root, 'memory/taskledger'))).toBe(true);
  });

  it('does nothing when the instance never made a cgroup', async () => {
    const root = await mkdtemp(path.join(tmpdir(), 'taskledger-cgroups-'));
    roots.push(root);
    await expect(pruneCgroupParents('/taskledger/none', root)).resolves.toBeUndefined();
  });
});
