import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { firstValueFrom, toArray } from 'rxjs';
import { afterAll, describe, expect, it } from 'vitest';
import { connect } from '../../src/api/client.ts';
import { decidePrepare, snapshotStreamId } from '../../src/domain/snapshot.ts';
import { snapshotProjection } from '../../src/domain/snapshot-projection.ts';
import { busyboxRootfs, specFor } from '../helpers/busybox-rootfs.ts';
import { requireBuiltCli } from '../helpers/run-cli.ts';
import { editLedgerOffline } from '../helpers/offline-ledger.ts';
import { startTestDaemon } from '../helpers/test-daemon.ts';
import { tarOf } from './tar-fixture.ts';

const bin = fileURLToPath(new URL('../../bin/taskledger.js', import.meta.url));

describe('snapshot garbage collection on restart', () => {
  const dirs: string[] = [];
  afterAll(() => {
    for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
  });

  it('removes what a crash left half-made, in the log and on disk, and keeps the rest', async () => {
    const d = await startTestDaemon();
    try {
      await d.client.images.import(await busyboxRootfs(), 'busybox');
      await d.client.containers.create({ id: 'keep', spec: specFor(['true']), image: 'busybox' });
      await d.stop();
      const snapshots = join(d.root, 'snapshots');
      const kept = readdirSync(snapshots).sort();
      // A crash mid-import: an unpacked tree and its scratch, never recorded.
      mkdirSync(join(snapshots, '50', 'fs', 'bin'), { recursive: true });
      mkdirSync(join(snapshots, '50', 'scratch'));
      writeFileSync(join(snapshots, '50', 'fs', 'bin', 'sh'), 'x');
      mkdirSync(join(snapshots, 'stray'));
      // A snapshot the log holds but nothing uses (no container, image or child).
      await editLedgerOffline(d.root, (store) => {
        const parent = store.load(snapshotProjection, snapshotStreamId('default', 'base:1'));
        const events = decidePrepare(undefined, {
          key: 'lost',
          parentKey: 'base:1',
          parent,
          id: 51,
        });
        store.append(
          [
            {
              streamId: snapshotStreamId('default', 'lost'),
              namespace: 'default',
              expectedVersion: 0,
              events,
            },
          ],
          { correlationId: 'test', source: 'test' },
        );
      });
      mkdirSync(join(snapshots, '51', 'fs'), { recursive: true });

      await d.restart();
      expect(d.logs).toContain(
        'snapshot gc: 1 unreferenced snapshots and 3 stray directories removed',
      );
      expect(readdirSync(snapshots).sort()).toEqual(kept);
      const removals = (await firstValueFrom(d.client.events().pipe(toArray()))).filter(
        (e) => e.topic === '/snapshot/remove',
      );
      expect(removals).toMatchObject([{ event: { key: 'lost' }, source: 'daemon snapshot gc' }]);
      // What was kept still works: the container's task mounts its snapshot.
      await d.client.tasks.create('keep');
      await d.client.tasks.start('keep');
      expect((await d.client.tasks.wait('keep')).exit_status).toBe(0);
      await d.client.tasks.delete('keep');
    } finally {
      await d.dispose();
    }
  });

  it('recovers from a daemon SIGKILLed in the middle of an import', async () => {
    requireBuiltCli();
    const dir = mkdtempSync(join(tmpdir(), 'taskledger-gc-crash-'));
    dirs.push(dir);
    const root = join(dir, 'root');
    const address = join(dir, 'api.sock');
    // Big enough that the import is still unpacking when it is killed.
    const archive = join(dir, 'big.tar');
    const blob = Buffer.alloc(64 * 1024 * 1024, 7);
    writeFileSync(archive, tarOf([1, 2, 3, 4].map((i) => ({ name: `data/f${i}`, content: blob }))));
    const start = (): ChildProcess =>
      spawn(
        'node',
        [bin, 'daemon', '--root', root, '--state', join(dir, 'state'), '--address', address],
        {
          stdio: ['ignore', 'ignore', 'pipe'],
        },
      );
    const client = connect(address);
    const ready = async (): Promise<void> => {
      for (let i = 0; i < 400; i++) {
        if (
          existsSync(address) &&
          (await client.version().then(
            () => true,
            () => false,
          ))
        )
          return;
        await new Promise((r) => setTimeout(r, 25));
      }
      throw new Error('daemon did not start');
    };
    let daemon = start();
    daemon.stderr!.resume();
    let stderr = '';
    try {
      await ready();
      const importing = client.images.import(archive, 'big').catch((error: unknown) => error);
      const scratch = join(root, 'snapshots', '1', 'scratch', 'data');
      for (let i = 0; i < 400 && !existsSync(join(scratch, 'f2')); i++) {
        await new Promise((r) => setTimeout(r, 10));
      }
      expect(existsSync(scratch)).toBe(true);
      daemon.kill('SIGKILL');
      await new Promise((r) => daemon.once('exit', r));
      expect(await importing).toMatchObject({ code: 'Unavailable' });
      expect(existsSync(join(root, 'snapshots', '1'))).toBe(true); // the crash left it

      daemon = start();
      daemon.stderr!.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
      await ready();
      expect(stderr).toContain(
        'snapshot gc: 0 unreferenced snapshots and 1 stray directories removed',
      );
      expect(readdirSync(join(root, 'snapshots'))).toEqual([]);
      expect(await client.images.list()).toEqual([]);
      const topics = (await firstValueFrom(client.events().pipe(toArray()))).map((e) => e.topic);
      expect(topics.filter((t) => t.startsWith('/snapshot') || t.startsWith('/images'))).toEqual(
        [],
      );
    } finally {
      daemon.kill('SIGTERM');
      await new Promise((r) => (daemon.exitCode === null ? daemon.once('exit', r) : r(null)));
    }
  }, 60_000);
});
