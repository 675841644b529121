import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { containerStreamId, decideCreateContainer } from '../../src/domain/container.ts';
import { containerProjection } from '../../src/domain/container-projection.ts';
import { isTaskledgerError } from '../../src/domain/errors.ts';
import { openLedgerDatabase } from '../../src/store/open-database.ts';
import { verifyChain } from '../../src/store/verify-chain.ts';
import { openTempStore, type TempStore } from '../helpers/temp-store.ts';

const cause = { correlationId: 'req-1', source: 'test' };
const ev = (topic: string, id: string) => ({ topic, event: { id } });

describe('SqliteEventStore', () => {
  let t: TempStore;
  beforeEach(async () => {
    t = await openTempStore();
  });
  afterEach(async () => {
    await t.dispose();
  });

  it('assigns gap-free increasing sequence numbers and stream versions', () => {
    t.store.append(
      [
        {
          streamId: 's/a',
          namespace: 'default',
          expectedVersion: 0,
          events: [ev('/x', 'a'), ev('/y', 'a')],
        },
      ],
      cause,
    );
    t.store.append(
      [{ streamId: 's/b', namespace: 'default', expectedVersion: 0, events: [ev('/x', 'b')] }],
      cause,
    );
    const all = t.store.readAll();
    expect(all.map((e) => e.seq)).toEqual([1, 2, 3]);
    expect(all.map((e) => e.streamVersion)).toEqual([1, 2, 1]);
    expect(t.store.lastSeq()).toBe(3);
    expect(all[0]!.timestamp).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{9}Z$/);
    expect(all[0]!.correlationId).toBe('req-1');
  });

  it('rejects an append at the wrong expected version with Conflict and writes nothing', () => {
    t.store.append(
      [{ streamId: 's/a', namespace: 'default', expectedVersion: 0, events: [ev('/x', 'a')] }],
      cause,
    );
    let error: unknown;
    try {
      t.store.append(
        [
          { streamId: 's/b', namespace: 'default', expectedVersion: 0, events: [ev('/x', 'b')] },
          { streamId: 's/a', namespace: 'default', expectedVersion: 0, events: [ev('/y', 'a')] },
        ],
        cause,
      );
    } catch (e) {
      error = e;
    }
    expect(isTaskledgerError(error, 'Conflict')).toBe(true);
    expect((error as Error).message).toContain('s/a is at version 1, expected 0');
    expect(t.store.readAll().map((e) => e.seq)).toEqual([1]);
    expect(t.store.streamVersion('s/b')).toBe(0);
    // The next append continues the sequence without a gap.
    t.store.append(
      [{ streamId: 's/b', namespace: 'default', expectedVersion: 0, events: [ev('/x', 'b')] }],
      cause,
    );
    expect(t.store.readAll().map((e) => e.seq)).toEqual([1, 2]);
  });

  it('detects a concurrent writer through the unique stream version', async () => {
    const other = await openLedgerDatabase(t.path);
    try {
      // A second writer took version 1 of s/a: inserting version 1 again must fail.
      t.store.append(
        [
          {
            streamId: 's/a',
            namespace: 'default',
            expectedVersion: 'any',
            events: [ev('/x', 'a')],
          },
        ],
        cause,
      );
      expect(() =>
        other.sqlite
          .prepare(
            "insert into events (seq, stream_id, stream_version, namespace, topic, payload, timestamp, correlation_id, source, hash) values (2, 's/a', 1, 'default', '/x', '{}', 't', 'c', 's', 'h')",
          )
          .run(),
      ).toThrow(/UNIQUE/);
    } finally {
      await other.close();
    }
  });

  it('reads one stream, and the log filtered by topic, namespace, time, position and limit', () => {
    t.store.append(
      [
        {
          streamId: 's/a',
          namespace: 'default',
          expectedVersion: 0,
          events: [ev('/x', 'a'), ev('/y', 'a')],
        },
      ],
      cause,
    );
    t.store.append(
      [
        {
          streamId: 's/b',
          namespace: 'other',
          expectedVersion: 0,
          events: [ev('/x', 'b'), ev('/z', 'b')],
        },
      ],
      cause,
    );
    expect(t.store.readStream('s/b').map((e) => e.topic)).toEqual(['/x', '/z']);
    expect(t.store.readAll({ topics: ['/x'] }).map((e) => e.seq)).toEqual([1, 3]);
    expect(t.store.readAll({ namespace: 'other' }).map((e) => e.seq)).toEqual([3, 4]);
    expect(t.store.readAll({ afterSeq: 1, limit: 2 }).map((e) => e.seq)).toEqual([2, 3]);
    expect(t.store.readAll({ untilSeq: 2 }).map((e) => e.seq)).toEqual([1, 2]);
    const third = t.store.readAll()[2]!;
    expect(t.store.readAll({ since: third.timestamp }).map((e) => e.seq)).toEqual([3, 4]);
    expect(t.store.readAll({ until: third.timestamp }).map((e) => e.seq)).toEqual([1, 2, 3]);
  });

  it('lists projection rows matching columns, in key order, at most a limit of them', () => {
    for (const [ns, id] of [
      ['a', 'web-2'],
      ['b', 'other'],
      ['a', 'web-1'],
      ['a', 'web-3'],
    ] as const) {
      const events = decideCreateContainer(undefined, ns, {
        id,
        spec: { process: { args: ['true'] } },
        rootfs: '/rootfs',
      });
      const streamId = containerStreamId(ns, id);
      t.store.append([{ streamId, namespace: ns, expectedVersion: 0, events }], cause);
    }
    const ids = (rows: { id: string }[]) => rows.map((c) => c.id);
    expect(ids(t.store.list(containerProjection, { namespace: 'a' }))).toEqual([
      'web-1',
      'web-2',
      'web-3',
    ]);
    expect(ids(t.store.list(containerProjection, { namespace: 'a' }, { limit: 1 }))).toEqual([
      'web-1',
    ]);
    expect(ids(t.store.list(containerProjection, {}, { limit: 2 }))).toEqual(['web-1', 'web-2']);
    expect(t.store.list(containerProjection, { namespace: 'none' }, { limit: 1 })).toEqual([]);
  });

  it('chains hashes so that an edited row is found at its exact seq', () => {
    for (let i = 0; i < 10; i++) {
      t.store.append(
        [
          {
            streamId: `s/${i}`,
            namespace: 'default',
            expectedVersion: 0,
            events: [ev('/x', String(i))],
          },
        ],
        cause,
      );
    }
    expect(verifyChain(t.db.sqlite)).toBeUndefined();
    t.db.sqlite.prepare(`update events set payload = '{"id":"evil"}' where seq = 7`).run();
    expect(verifyChain(t.db.sqlite)?.seq).toBe(7);
  });

  it('survives reopening with the same sequence and hash chain', async () => {
    t.store.append(
      [{ streamId: 's/a', namespace: 'default', expectedVersion: 0, events: [ev('/x', 'a')] }],
      cause,
    );
    t = await t.reopen();
    t.store.append(
      [{ streamId: 's/a', namespace: 'default', expectedVersion: 1, events: [ev('/y', 'a')] }],
      cause,
    );
    expect(t.store.readAll().map((e) => [e.seq, e.streamVersion])).toEqual([
      [1, 1],
      [2, 2],
    ]);
    expect(verifyChain(t.db.sqlite)).toBeUndefined();
  });
});
