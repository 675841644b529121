import { afterEach, describe, expect, it } from 'vitest';
import {
  containerStreamId,
  decideCreateContainer,
  decideDeleteContainer,
  decideUpdateContainer,
} from '../../src/domain/container.ts';
import { containerProjection } from '../../src/domain/container-projection.ts';
import type { Projection } from '../../src/domain/projection.ts';
import * as taskDecide from '../../src/domain/task-decide.ts';
import { taskStreamId } from '../../src/domain/task-evolve.ts';
import { taskProjection } from '../../src/domain/task-projection.ts';
import type { NewEvent } from '../../src/domain/event-envelope.ts';
import type { EventStore } from '../../src/ports/event-store.ts';
import { diffProjections, rebuildProjections } from '../../src/store/projection-rebuild.ts';
import { openTempStore, type TempStore } from '../helpers/temp-store.ts';

const projections = [containerProjection, taskProjection] as Projection<unknown>[];
const cause = { correlationId: 'load', source: 'test' };
const spec = { process: { args: ['/bin/true'] } };

/** A deterministic pseudo-random sequence, so a failure reproduces. */
function random(seed: number): () => number {
  let s = seed;
  return () => {
    s = (s * 1103515245 + 12345) & 0x7fffffff;
    return s / 0x7fffffff;
  };
}

function apply(store: EventStore, ns: string, streamId: string, decide: () => NewEvent[]): boolean {
  let events: NewEvent[];
  try {
    events = decide();
  } catch {
    return false; // an illegal command for the current state: nothing to append
  }
  store.append(
    [{ streamId, namespace: ns, expectedVersion: store.streamVersion(streamId), events }],
    cause,
  );
  return true;
}

/** Drives containers and tasks through their lifecycles at random, through the real deciders. */
function generateMixedLog(store: EventStore, steps: number): void {
  const next = random(42);
  const pick = <T>(items: readonly T[]): T => items[Math.floor(next() * items.length)]!;
  for (let i = 0; i < steps; i++) {
    const ns = pick(['default', 'prod', 'dev']);
    const id = `c${Math.floor(next() * 60)}`;
    const cs = containerStreamId(ns, id);
    const ts = taskStreamId(ns, id);
    const container = () => store.load(containerProjection, cs);
    const task = () => store.load(taskProjection, ts);
    const t = () => taskDecide.requireTask(task(), ns, id);
    switch (pick(['create', 'label', 'spec', 'delete', 'task', 'task', 'task', 'task'])) {
      case 'create':
        apply(store, ns, cs, () =>
          decideCreateContainer(container(), ns, {
            id,
            spec,
            rootfs: '/srv/rootfs',
            labels: { n: String(i) },
          }),
        );
        break;
      case 'label':
        apply(store, ns, cs, () =>
          decideUpdateContainer(container(), ns, id, {
            labels: { [`k${i % 5}`]: next() < 0.3 ? '' : String(i) },
            updateMask: [`labels.k${i % 5}`],
          }),
        );
        break;
      case 'spec':
        apply(store, ns, cs, () =>
          decideUpdateContainer(container(), ns, id, {
            spec: { process: { args: ['/bin/echo', String(i)] } },
          }),
        );
        break;
      case 'delete':
        if (task() === undefined || task()?.status === 'failed')
          apply(store, ns, cs, () => decideDeleteContainer(container(), ns, id));
        break;
      case 'task': {
        if (!container()) break;
        const io = { stdin: '', stdout: '', stderr: '', terminal: false };
        const step = pick([
          'intent',
          'created',
          'failed',
          'start',
          'exec',
          'execStart',
          'exit',
          'execExit',
          'pause',
          'resume',
          'oom',
          'deleteIntent',
          'deleted',
        ]);
        apply(store, ns, ts, () => {
          switch (step) {
            case 'intent':
              return [
                ...taskDecide.decideForget(task()),
                ...taskDecide.decideCreateIntent(
                  task()?.status === 'failed' ? undefined : task(),
                  ns,
                  id,
                  io,
                ),
              ];
            case 'created':
              return taskDecide.decideCreated(t(), {
                pid: 1000 + i,
                bundle: `/run/b/${id}`,
                rootfs: [],
              });
            case 'failed':
              return taskDecide.decideCreateFailed(t(), `boom ${i}`);
            case 'start':
              taskDecide.checkStart(t());
              return taskDecide.decideStarted(t(), 2000 + i);
            case 'exec':
              return taskDecide.decideExecAdded(t(), `e${i % 3}`, { args: ['/bin/sh'] }, io);
            case 'execStart':
              return taskDecide.decideExecStarted(t(), `e${i % 3}`, 3000 + i);
            case 'exit':
              return taskDecide.decideExit(task(), {
                execId: id,
                pid: 1,
                status: i % 7,
                exitedAt: '2026-11-29T00:00:00.000000000Z',
              });
            case 'execExit':
              return taskDecide.decideExit(task(), {
                execId: `e${i % 3}`,
                pid: 1,
                status: 3,
                exitedAt: '2026-11-29T00:00:01.000000000Z',
              });
            case 'pause':
              return taskDecide.decidePaused(t());
            case 'resume':
              return taskDecide.decideResumed(t());
            case 'oom':
              return taskDecide.decideOom(task());
            case 'deleteIntent':
              return taskDecide.decideDeleteIntent(t());
            default:
              taskDecide.requireStatus(t(), ['deleting'], 'delete');
              return taskDecide.decideDeleted(t(), {
                status: 0,
                exitedAt: '2026-11-29T00:00:02.000000000Z',
              });
          }
        });
        break;
      }
    }
  }
}

describe('projection rebuild', () => {
  let t: TempStore | undefined;
  afterEach(async () => {
    await t?.dispose();
  });

  it('replaying a log of thousands of mixed events gives exactly the inline projection', async () => {
    t = await openTempStore(projections);
    generateMixedLog(t.store, 15000);
    const topics = new Set(t.store.readAll().map((e) => e.topic));
    expect(t.store.lastSeq()).toBeGreaterThan(2000);
    // The load must really exercise every kind of event, or the comparison proves little.
    for (const topic of [
      '/containers/create',
      '/containers/update',
      '/containers/delete',
      '/tasks/create',
      '/tasks/start',
      '/tasks/exit',
      '/tasks/delete',
      '/tasks/paused',
      '/tasks/exec-added',
      '/taskledger/tasks/create-failed',
    ]) {
      expect(topics).toContain(topic);
    }
    expect(t.store.list(containerProjection).length).toBeGreaterThan(10);
    const { store } = t;
    const tables = projections.map((p) => store.table(p));
    expect(diffProjections(t.db.sqlite, tables)).toBeUndefined();

    // And tables rebuilt together, in one pass over the log, are row for row the inline ones.
    const before = tables.map((table) => table.rows());
    rebuildProjections(t.db.sqlite, tables);
    expect(tables.map((table) => table.rows())).toEqual(before);
  });

  it('finds the first row that differs from the replay', async () => {
    t = await openTempStore(projections);
    generateMixedLog(t.store, 500);
    const victim = t.store.list(containerProjection)[0]!;
    t.db.sqlite
      .prepare(`update containers set labels = '{"tampered":"yes"}' where namespace = ? and id = ?`)
      .run(victim.namespace, victim.id);
    const diff = diffProjections(t.db.sqlite, [
      t.store.table(taskProjection),
      t.store.table(containerProjection),
    ]);
    expect(diff?.key).toBe(`${victim.namespace}/${victim.id}`);
    expect(diff?.stored?.labels).toBe('{"tampered":"yes"}');
  });

  it('rebuilds a projection on open when its version changed', async () => {
    t = await openTempStore(projections);
    generateMixedLog(t.store, 300);
    const rows = t.store.table(containerProjection).rows();
    t.db.sqlite.prepare('delete from containers').run();
    t.db.sqlite.prepare("update projections set version = 0 where name = 'containers'").run();
    t = await t.reopen();
    expect(t.store.table(containerProjection).rows()).toEqual(rows);
  });

  it('applies the log tail when the checkpoint is behind', async () => {
    t = await openTempStore(projections);
    generateMixedLog(t.store, 300);
    const rows = t.store.table(containerProjection).rows();
    // Simulate a projection that missed the last events (written by an import, say).
    t.db.sqlite.prepare("update projections set checkpoint = 0 where name = 'containers'").run();
    t.db.sqlite.prepare('delete from containers').run();
    t = await t.reopen();
    expect(t.store.table(containerProjection).rows()).toEqual(rows);
  });
});
