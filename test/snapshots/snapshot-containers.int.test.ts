import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { firstValueFrom, toArray } from 'rxjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { busyboxRootfs, specFor } from '../helpers/busybox-rootfs.ts';
import { mountsUnder } from '../helpers/leftovers.ts';
import { startTestDaemon, type TestDaemon } from '../helpers/test-daemon.ts';

describe('containers on overlay snapshots, with real runc', () => {
  let d: TestDaemon;
  let baseFs: string;

  /** Runs `script` in a new container from `image` to its end; returns its output and status. */
  const run = async (id: string, image: string, script: string) => {
    await d.client.containers.create({ id, spec: specFor(['sh', '-c', script]), image });
    await d.client.tasks.create(id);
    await d.client.tasks.start(id);
    const exit = await d.client.tasks.wait(id);
    const lines = await firstValueFrom(d.client.tasks.logs(id).pipe(toArray()));
    await d.client.tasks.delete(id);
    return { status: exit.exit_status, out: lines.map((l) => l.text).join('\n') };
  };

  beforeAll(async () => {
    d = await startTestDaemon();
    const image = await d.client.images.import(await busyboxRootfs(), 'busybox');
    baseFs = join(d.root, 'snapshots', image.snapshot_key.slice('base:'.length), 'fs');
  });
  afterAll(async () => {
    await d.dispose();
  });

  it('keeps writes in one container out of another and out of the base', async () => {
    const a = await run(
      'writer',
      'busybox',
      'echo from-a > /data.txt && rm /etc/hostname && mkdir -p /var/x && echo hi > /var/x/f && echo done',
    );
    expect(a).toEqual({ status: 0, out: 'done' });
    const b = await run(
      'reader',
      'busybox',
      'ls /data.txt /var/x 2>&1; cat /etc/hostname; echo status=$?',
    );
    expect(b.out).toContain('No such file or directory');
    expect(b.out).toContain('taskledger'); // the base's /etc/hostname, untouched
    expect(existsSync(join(baseFs, 'data.txt'))).toBe(false);
    expect(readFileSync(join(baseFs, 'etc/hostname'), 'utf8')).toBe('taskledger\n');
    // The writer's changes sit in its own upper layer, the deletion as an overlay whiteout.
    const writer = (await d.client.images.snapshots()).find((s) => s.key === 'writer')!;
    const upper = join(d.root, 'snapshots', String(writer.id), 'fs');
    expect(readFileSync(join(upper, 'data.txt'), 'utf8')).toBe('from-a\n');
    expect(readdirSync(join(upper, 'etc'))).toEqual(['hostname']);
  });

  it('runs a committed container as a new base others build on', async () => {
    const image = await d.client.images.commit('writer', 'busybox-changed');
    expect(image.snapshot_key).not.toBe('base:1');
    const c = await run(
      'child',
      'busybox-changed',
      'cat /data.txt /var/x/f; test -e /etc/hostname && echo has-hostname || echo no-hostname',
    );
    expect(c).toEqual({ status: 0, out: 'from-a\nhi\nno-hostname' });
    // The child's rootfs is an overlay over both layers, nearest first.
    const snapshots = await d.client.images.snapshots();
    const committed = snapshots.find((s) => s.key === image.snapshot_key)!;
    expect(committed).toMatchObject({ kind: 'committed', parent: 'base:1' });
    await expect(d.client.images.delete('busybox')).rejects.toMatchObject({
      code: 'FailedPrecondition',
      message:
        'image "busybox" is in use by image "busybox-changed" (and 2 more): remove them first',
    });
  });

  it('removes the base once nothing is built on it, leaving no mounts', async () => {
    for (const id of ['writer', 'reader', 'child']) await d.client.containers.delete(id);
    await expect(d.client.images.delete('busybox')).rejects.toMatchObject({
      code: 'FailedPrecondition',
      message: 'image "busybox" is in use by image "busybox-changed": remove it first',
    });
    await d.client.images.delete('busybox-changed');
    await d.client.images.delete('busybox');
    for (let i = 0; i < 100 && readdirSync(join(d.root, 'snapshots')).length > 0; i++) {
      await new Promise((r) => setTimeout(r, 20));
    }
    expect(readdirSync(join(d.root, 'snapshots'))).toEqual([]);
    expect(mountsUnder(d.dir)).toEqual([]);
  });
});
