import { existsSync, readFileSync } from 'node:fs';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { execa } from 'execa';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { hasMountsAt } from '../../src/runtime/rootfs-mounts.ts';
import { busyboxOverlay, busyboxRootfs } from '../helpers/busybox-rootfs.ts';
import { createRuntimeFixture, initExit, type RuntimeFixture } from './runtime-fixture.ts';

let fx: RuntimeFixture;
let scratch: string;

beforeAll(async () => {
  fx = await createRuntimeFixture('rootfs');
  scratch = await mkdtemp(path.join(tmpdir(), 'taskledger-rootfs-dirs-'));
});

afterAll(async () => {
  await fx.cleanup();
  await rm(scratch, { recursive: true, force: true });
});

const bundleOf = (id: string): string => path.join(fx.stateDir, 'bundles', 'default', id);

/** The root of the config.json the runtime wrote for task `id`. */
async function configRoot(id: string): Promise<{ path: string; readonly?: boolean }> {
  const config = JSON.parse(await readFile(path.join(bundleOf(id), 'config.json'), 'utf8')) as {
    root: { path: string; readonly?: boolean };
  };
  return config.root;
}

/** Runs `script` in a task on `rootfs` and returns its exit status and output. */
async function runOn(
  id: string,
  rootfs: Parameters<RuntimeFixture['create']>[2],
  script: string,
): Promise<{ status: number; output: string; root: { path: string; readonly?: boolean } }> {
  const out = path.join(scratch, `${id}.out`);
  const task = await fx.create(id, ['sh', '-c', script], {
    ...rootfs,
    io: { stdout: out, stderr: out, terminal: false },
  });
  const root = await configRoot(id);
  await task.start();
  const exit = await fx.nextEvent(initExit(id));
  await fx.runtime.delete(task);
  return {
    status: exit.type === 'exit' ? exit.status : -1,
    output: existsSync(out) ? readFileSync(out, 'utf8') : '',
    root,
  };
}

describe('runc runtime rootfs (real runc + conmon)', () => {
  it('runs on a writable directory in place: no mount, writes land in the directory', async () => {
    const dir = path.join(scratch, 'rw-rootfs');
    await execa('cp', ['-a', await busyboxRootfs(), dir], { timeout: 10_000 });
    const result = await runOn(
      'rw',
      { rootfs: [{ type: 'bind', source: dir, options: ['rbind', 'rw'] }] },
      'echo written > /marker && cat /marker',
    );
    expect(result).toMatchObject({ status: 0, output: 'written\n' });
    expect(result.root).toEqual({ path: dir, readonly: false });
    expect(readFileSync(path.join(dir, 'marker'), 'utf8')).toBe('written\n');
    expect(existsSync(path.join(bundleOf('rw'), 'rootfs'))).toBe(false);
  });

  it('keeps a read-only bind read-only for the container', async () => {
    const result = await runOn(
      'ro',
      { rootfs: [{ type: 'bind', source: await busyboxRootfs(), options: ['rbind', 'ro'] }] },
      'touch /marker; echo "touch=$?"',
    );
    expect(result.status).toBe(0);
    expect(result.output).toMatch(/Read-only file system/);
    expect(result.output).toContain('touch=1');
    expect(result.root).toEqual({ path: await busyboxRootfs(), readonly: true });
    expect(existsSync(path.join(await busyboxRootfs(), 'marker'))).toBe(false);
  });

  it('mounts an overlay at the bundle while the task lives, and unmounts it on delete', async () => {
    const upper = path.join(scratch, 'overlay');
    const task = await fx.create('over', ['sh', '-c', 'echo up > /in-upper'], {
      rootfs: await busyboxOverlay(upper),
    });
    const mountPoint = path.join(bundleOf('over'), 'rootfs');
    expect((await configRoot('over')).path).toBe(mountPoint);
    expect(await hasMountsAt(mountPoint)).toBe(true);
    await task.start();
    expect(await fx.nextEvent(initExit('over'))).toMatchObject({ status: 0 });
    await fx.runtime.delete(task);
    expect(await hasMountsAt(mountPoint)).toBe(false);
    expect(readFileSync(path.join(upper, 'upper', 'in-upper'), 'utf8')).toBe('up\n');
  });
});
