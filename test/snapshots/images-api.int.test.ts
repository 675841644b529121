import { existsSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { firstValueFrom, toArray } from 'rxjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { EventJson } from '../../src/api/wire-types.ts';
import { busyboxRootfs, specFor } from '../helpers/busybox-rootfs.ts';
import { startTestDaemon, type TestDaemon } from '../helpers/test-daemon.ts';
import { ociLayout, tarOf } from './tar-fixture.ts';

describe('images and snapshots over the API', () => {
  let d: TestDaemon;
  let rootfs: string;
  const snapshotDirs = (): string[] => readdirSync(join(d.root, 'snapshots')).sort();
  const events = async (): Promise<EventJson[]> =>
    firstValueFrom(d.client.events().pipe(toArray()));
  const topics = async (afterSeq: number): Promise<string[]> =>
    (await events()).filter((e) => e.seq > afterSeq).map((e) => e.topic);
  const lastSeq = async (): Promise<number> => (await events()).at(-1)?.seq ?? 0;
  /** Waits for the disk sweep that follows a committed `/snapshot/remove`. */
  const settled = async (expected: string[]): Promise<void> => {
    for (let i = 0; i < 100 && snapshotDirs().join() !== expected.join(); i++) {
      await new Promise((r) => setTimeout(r, 20));
    }
    expect(snapshotDirs()).toEqual(expected);
  };

  beforeAll(async () => {
    d = await startTestDaemon();
    rootfs = await busyboxRootfs();
  });
  afterAll(async () => {
    await d.dispose();
  });

  it('imports a directory as a committed base and records containerd topics', async () => {
    const before = await lastSeq();
    const image = await d.client.images.import(rootfs, 'busybox:1', { labels: { team: 'a' } });
    expect(image).toMatchObject({
      name: 'busybox:1',
      labels: { team: 'a' },
      snapshot_key: 'base:1',
    });
    expect(image.size).toBeGreaterThan(1_000_000);
    expect(await topics(before)).toEqual([
      '/snapshot/prepare',
      '/snapshot/commit',
      '/images/create',
    ]);
    const [prepare, commit] = (await events()).filter((e) => e.seq > before);
    expect(prepare!.event).toMatchObject({ key: 'base:1', parent: '', snapshotter: 'overlayfs' });
    expect(commit!.event).toEqual({ key: 'base:1', name: 'base:1', snapshotter: 'overlayfs' });
    expect(existsSync(join(d.root, 'snapshots/1/fs/bin/busybox'))).toBe(true);
    expect((await d.client.images.list()).map((i) => i.name)).toEqual(['busybox:1']);
  });

  it('refuses a second image of the same name before unpacking anything', async () => {
    await expect(d.client.images.import(rootfs, 'busybox:1')).rejects.toMatchObject({
      code: 'AlreadyExists',
    });
    expect(snapshotDirs()).toEqual(['1']);
  });

  it('leaves nothing on disk or in the log when an archive is refused', async () => {
    const bad = join(d.dir, 'evil.tar');
    writeFileSync(
      bad,
      tarOf([
        { name: 'ok', content: 'fine' },
        { name: '../evil', content: 'x' },
      ]),
    );
    const cut = join(d.dir, 'cut.tar.gz');
    const gz = gzipSync(tarOf([{ name: 'big', content: Buffer.alloc(300_000, 1) }]));
    writeFileSync(cut, gz.subarray(0, gz.length - 100));
    const before = await lastSeq();
    await expect(d.client.images.import(bad, 'evil')).rejects.toMatchObject({
      code: 'InvalidArgument',
      message: expect.stringContaining('archive entry "../evil"'),
    });
    await expect(d.client.images.import(cut, 'cut')).rejects.toMatchObject({
      code: 'InvalidArgument',
    });
    await expect(d.client.images.import('relative.tar', 'rel')).rejects.toMatchObject({
      code: 'InvalidArgument',
      message: 'source must be an absolute path on the daemon host',
    });
    expect(await lastSeq()).toBe(before);
    expect(snapshotDirs()).toEqual(['1']);
    expect(existsSync(join(d.root, 'snapshots/evil'))).toBe(false);
  });

  it('leaves nothing behind when the client goes away in the middle of an import', async () => {
    const big = join(d.dir, 'big.tar');
    const blob = Buffer.alloc(16 * 1024 * 1024, 5);
    writeFileSync(big, tarOf([1, 2, 3, 4].map((i) => ({ name: `data/f${i}`, content: blob }))));
    const before = await lastSeq();
    const abort = new AbortController();
    const importing = d.client.images.import(big, 'big', {
      signal: abort.signal,
      onProgress: () => abort.abort(),
    });
    await expect(importing).rejects.toThrow();
    await settled(['1']);
    expect(await lastSeq()).toBe(before);
    expect(d.logs.filter((l) => l.startsWith('internal error'))).toEqual([]);
  });

  it('imports an OCI image layout archive and reports progress', async () => {
    const archive = join(d.dir, 'app.oci.tar');
    writeFileSync(
      archive,
      ociLayout(join(d.dir, 'app-layout'), [
        {
          gzip: true,
          entries: [
            { name: 'app/one', content: '1' },
            { name: 'app/two', content: '2' },
          ],
        },
        { entries: [{ name: 'app/.wh.one', content: '' }] },
      ]),
    );
    const phases = new Set<string>();
    const image = await d.client.images.import(archive, 'registry.example:5000/team/app:v1', {
      onProgress: (p) => phases.add(p.phase),
    });
    expect(phases.has('reading archive')).toBe(true);
    const fs = join(d.root, 'snapshots', image.snapshot_key.slice('base:'.length), 'fs');
    expect(readdirSync(join(fs, 'app'))).toEqual(['two']);
    expect((await d.client.images.get('registry.example:5000/team/app:v1')).name).toBe(
      'registry.example:5000/team/app:v1',
    );
  });

  it('creates a container from an image with its own snapshot, in the same append', async () => {
    const before = await lastSeq();
    const c = await d.client.containers.create({
      id: 'web',
      spec: specFor(['true']),
      image: 'busybox:1',
    });
    expect(c).toMatchObject({ image: 'busybox:1', snapshot_key: 'web', rootfs: '' });
    const added = (await events()).filter((e) => e.seq > before);
    expect(added.map((e) => e.topic)).toEqual(['/containers/create', '/snapshot/prepare']);
    expect(new Set(added.map((e) => e.correlation_id)).size).toBe(1);
    expect(added[1]!.event).toMatchObject({ key: 'web', parent: 'base:1' });
    const snapshot = (await d.client.images.snapshots()).find((s) => s.key === 'web')!;
    // overlay prepare copies nothing: the upper layer starts empty.
    expect(readdirSync(join(d.root, 'snapshots', String(snapshot.id), 'fs'))).toEqual([]);
  });

  it('refuses a missing image and a taken id, leaving no directory', async () => {
    const dirs = snapshotDirs();
    await expect(
      d.client.containers.create({ id: 'x', spec: specFor(['true']), image: 'nope' }),
    ).rejects.toMatchObject({ code: 'NotFound', message: expect.stringContaining('image "nope"') });
    await expect(
      d.client.containers.create({ id: 'web', spec: specFor(['true']), image: 'busybox:1' }),
    ).rejects.toMatchObject({ code: 'AlreadyExists' });
    await expect(
      d.client.containers.create({ id: 'bad', spec: { nope: 1 }, image: 'busybox:1' }),
    ).rejects.toMatchObject({ code: 'InvalidArgument' });
    await settled(dirs);
  });

  it('refuses to remove a base in use, naming the container', async () => {
    await expect(d.client.images.delete('busybox:1')).rejects.toMatchObject({
      code: 'FailedPrecondition',
      message: 'image "busybox:1" is in use by container "web": remove it first',
    });
  });

  it('refuses to commit a container that runs on a plain rootfs directory', async () => {
    await d.client.containers.create({ id: 'plain', spec: specFor(['true']), rootfs });
    await expect(d.client.images.commit('plain', 'plain-img')).rejects.toMatchObject({
      code: 'FailedPrecondition',
    });
    await d.client.containers.delete('plain');
  });

  it('removes the snapshot with the container, then the base with the image', async () => {
    const web = (await d.client.images.snapshots()).find((s) => s.key === 'web')!;
    const before = await lastSeq();
    await d.client.containers.delete('web');
    const added = (await events()).filter((e) => e.seq > before);
    expect(added.map((e) => e.topic)).toEqual(['/containers/delete', '/snapshot/remove']);
    await settled(snapshotDirs().filter((n) => n !== String(web.id)));
    await d.client.images.delete('busybox:1');
    expect(await topics(before + 2)).toEqual(['/images/delete', '/snapshot/remove']);
    await settled(snapshotDirs().filter((n) => n !== '1'));
    await expect(d.client.images.get('busybox:1')).rejects.toMatchObject({ code: 'NotFound' });
  });
});
