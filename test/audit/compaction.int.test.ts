import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { adminCompact, adminRebuild, adminVerify } from '../../src/daemon/admin.ts';
import { projections } from '../../src/daemon/daemon.ts';
import { resolveRange } from '../../src/daemon/event-routes.ts';
import { containerProjection } from '../../src/domain/container-projection.ts';
import { isTaskledgerError, type ErrorCode } from '../../src/domain/errors.ts';
import { namespaceProjection } from '../../src/domain/namespace-projection.ts';
import type { Projection } from '../../src/domain/projection.ts';
import { taskProjection } from '../../src/domain/task-projection.ts';
import { createEventBus } from '../../src/services/event-bus.ts';
import { openLedgerDatabase, type LedgerDatabase } from '../../src/store/open-database.ts';
import {
  createSqliteEventStore,
  type SqliteEventStore,
} from '../../src/store/sqlite-event-store.ts';
import { steppingClock } from '../helpers/temp-store.ts';
import { ledgerContents, mixedRoot, withFile } from './mixed-log.ts';

const roots: string[] = [];
const open: LedgerDatabase[] = [];
afterEach(async () => {
  for (const db of open.splice(0)) await db.close();
  for (const root of roots.splice(0)) rmSync(root, { recursive: true, force: true });
});

async function root(steps = 1500): Promise<string> {
  const dir = await mixedRoot(steps);
  roots.push(dir);
  return dir;
}

async function storeOf(dir: string, with_ = projections): Promise<SqliteEventStore> {
  const db = await openLedgerDatabase(join(dir, 'ledger.db'));
  open.push(db);
  return createSqliteEventStore(db, {
    clock: steppingClock(Date.UTC(2027, 0, 1)),
    projections: with_,
  });
}

async function closeAll(): Promise<void> {
  for (const db of open.splice(0)) await db.close();
}

function failure(work: () => unknown): { code: ErrorCode | undefined; message: string } {
  try {
    work();
  } catch (error) {
    return {
      code: isTaskledgerError(error) ? error.code : undefined,
      message: (error as Error).message,
    };
  }
  throw new Error('expected a failure');
}

async function rejection(work: Promise<unknown>): Promise<{ code?: ErrorCode; message: string }> {
  return work.then(
    () => {
      throw new Error('expected a rejection');
    },
    (error: unknown) => ({
      code: isTaskledgerError(error) ? error.code : undefined,
      message: (error as Error).message,
    }),
  );
}

const statesAt = (store: SqliteEventStore, seq: number) =>
  projections.map((p) => store.stateAt(p, seq));

describe('admin compact', () => {
  it('deletes events before the seq into a snapshot, and verify still holds', async () => {
    const dir = await root();
    const before = ledgerContents(dir);
    const last = before.events.length;
    const report = await adminCompact(dir, 700);
    expect(report).toMatchObject({ throughSeq: 699, deleted: 699, kept: last - 699 });
    expect(report.hash).toBe((before.events[698] as { hash: string }).hash);
    const after = ledgerContents(dir);
    expect(after.events).toEqual(before.events.slice(699));
    expect(after.containers).toEqual(before.containers);
    expect(after.tasks).toEqual(before.tasks);
    const verify = await adminVerify(dir);
    expect(verify).toMatchObject({ events: last, compactedThrough: 699 });
    expect(verify.chain).toBeUndefined();
    expect(verify.projection).toBeUndefined();
  });

  it('rebuilds the projections from snapshot + tail to the same rows', async () => {
    const dir = await root();
    const before = ledgerContents(dir);
    await adminCompact(dir, 900);
    withFile(dir, (db) => db.exec('delete from containers; delete from tasks'));
    await adminRebuild(dir);
    const after = ledgerContents(dir);
    expect(after.containers).toEqual(before.containers);
    expect(after.tasks).toEqual(before.tasks);
  });

  it('replays any point from the cut on exactly as before, and refuses earlier points', async () => {
    const dir = await root();
    const points = [600, 601, 777, 1000];
    const store = await storeOf(dir);
    const expected = points.map((seq) => statesAt(store, seq));
    await closeAll();
    await adminCompact(dir, 601);
    const compacted = await storeOf(dir);
    expect(points.map((seq) => statesAt(compacted, seq))).toEqual(expected);
    expect(failure(() => compacted.stateAt(containerProjection, 599))).toEqual({
      code: 'FailedPrecondition',
      message: expect.stringMatching(
        /^events up to seq 600 \(.*\) were compacted: the earliest state left is at seq 600$/,
      ) as string,
    });
  });

  it('keeps counting seq, the chain and compacted streams versions afterwards', async () => {
    const dir = await root();
    const last = ledgerContents(dir).events.length;
    const store = await storeOf(dir);
    // A container whose events all go with the compaction keeps its stream version.
    const quiet = store.list(containerProjection).find((c) => {
      const events = store.readStream(`container/${c.namespace}/${c.id}`);
      return events.every((e) => e.seq < last - 5);
    })!;
    const streamId = `container/${quiet.namespace}/${quiet.id}`;
    const version = store.streamVersion(streamId);
    const cutAfter = Math.max(...store.readStream(streamId).map((e) => e.seq));
    await closeAll();
    await adminCompact(dir, cutAfter + 1);
    const compacted = await storeOf(dir);
    expect(compacted.readStream(streamId)).toEqual([]);
    expect(compacted.streamVersion(streamId)).toBe(version);
    const [appended] = compacted.append(
      [
        {
          streamId,
          namespace: quiet.namespace,
          expectedVersion: version,
          events: [
            { topic: '/containers/update', event: { id: quiet.id, labels: { late: 'yes' } } },
          ],
        },
      ],
      { correlationId: 'after', source: 'test' },
    );
    expect(appended).toMatchObject({ seq: last + 1, streamVersion: version + 1 });
    await closeAll();
    expect(await adminVerify(dir)).toMatchObject({ chain: undefined, projection: undefined });
  });

  it('gives readers of compacted history a clear error, and others the first kept event', async () => {
    const dir = await root();
    await adminCompact(dir, 500);
    const store = await storeOf(dir);
    const compacted = /^events up to seq 499 .*were compacted/;
    expect(store.readAll({ limit: 1 })[0]!.seq).toBe(500);
    expect(failure(() => store.readAll({ afterSeq: 0 }))).toEqual({
      code: 'FailedPrecondition',
      message:
        'events up to seq 499 were compacted: cannot read from seq 1, the log starts at seq 500',
    });
    expect(resolveRange(store, null, null).afterSeq).toBe(499);
    expect(resolveRange(store, '500', null).afterSeq).toBe(499);
    expect(failure(() => resolveRange(store, '1', null)).message).toMatch(compacted);
    const cutTime = store.compaction()!.timestamp;
    expect(failure(() => resolveRange(store, cutTime, null)).message).toMatch(compacted);
    // A subscription that wants to continue from a compacted position ends with the error.
    const bus = createEventBus({
      readPage: (afterSeq, limit) => store.readAll({ afterSeq, limit }),
    });
    const error = await new Promise((resolve) => {
      bus
        .subscribe({ afterSeq: 10 })
        .subscribe({ error: resolve, complete: () => resolve(undefined) });
    });
    expect(isTaskledgerError(error, 'FailedPrecondition')).toBe(true);
    bus.close();
  });

  it('compacts again on top of an earlier snapshot', async () => {
    const dir = await root();
    const before = ledgerContents(dir);
    await adminCompact(dir, 300);
    await adminCompact(dir, 800);
    expect(ledgerContents(dir).events).toEqual(before.events.slice(799));
    expect(await adminVerify(dir)).toMatchObject({
      compactedThrough: 799,
      chain: undefined,
      projection: undefined,
    });
  });

  it('refuses a seq at or before the start, past the last event, or over a broken chain', async () => {
    const dir = await root(300);
    const last = ledgerContents(dir).events.length;
    expect(await rejection(adminCompact(dir, 1))).toEqual({
      code: 'InvalidArgument',
      message: 'nothing to compact before seq 1: the log already starts at seq 1',
    });
    expect((await rejection(adminCompact(dir, last + 1))).message).toBe(
      `cannot compact before seq ${last + 1}: the last event is seq ${last}, and compaction keeps at least the last event`,
    );
    withFile(dir, (db) => db.prepare(`update events set source = 'x' where seq = 20`).run());
    expect(await rejection(adminCompact(dir, 100))).toEqual({
      code: 'FailedPrecondition',
      message: expect.stringMatching(
        /^refusing to compact: the hash chain breaks at seq 20/,
      ) as string,
    });
  });

  it('refuses to rebuild a projection whose version changed after compaction', async () => {
    const dir = await root(300);
    await adminCompact(dir, 50);
    const changed: Projection<unknown> = { ...taskProjection, version: taskProjection.version + 1 };
    const error = await rejection(
      storeOf(dir, [containerProjection, changed] as Projection<unknown>[]),
    );
    expect(error).toEqual({
      code: 'FailedPrecondition',
      message: `projection tasks v${changed.version} cannot be rebuilt: events up to seq 49 were compacted into a snapshot holding v1 rows for it`,
    });
  });

  it('opens a root compacted before namespaces were recorded, with those of what it held', async () => {
    const dir = await root(300);
    await adminCompact(dir, 100);
    // As a build without the namespaces projection left it: no snapshot rows, table or checkpoint.
    withFile(dir, (db) => {
      const row = db.prepare('select projections from log_snapshot').get() as {
        projections: string;
      };
      const stored = JSON.parse(row.projections) as Record<string, unknown>;
      delete stored.namespaces;
      db.prepare('update log_snapshot set projections = ?').run(JSON.stringify(stored));
      db.exec(`delete from namespaces; delete from projections where name = 'namespaces'`);
    });
    const store = await storeOf(dir);
    const held = new Set(store.list(containerProjection).map((c) => c.namespace));
    expect(held.size).toBeGreaterThan(0);
    const names = store.list(namespaceProjection).map((n) => n.name);
    expect(names).toEqual(expect.arrayContaining([...held]));
    await closeAll();
    expect((await adminVerify(dir)).projection).toBeUndefined();
  });
});
