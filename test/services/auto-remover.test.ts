import { Subject } from 'rxjs';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { autoRemoveLabel } from '../../src/domain/auto-remove.ts';
import { containerStreamId, decideCreateContainer } from '../../src/domain/container.ts';
import { internal } from '../../src/domain/errors.ts';
import type { NewEvent, StoredEvent } from '../../src/domain/event-envelope.ts';
import * as decide from '../../src/domain/task-decide.ts';
import { taskStreamId } from '../../src/domain/task-evolve.ts';
import { taskProjection } from '../../src/domain/task-projection.ts';
import { projections } from '../../src/daemon/daemon.ts';
import { createAutoRemover, type AutoRemover } from '../../src/services/auto-remover.ts';
import { openTempStore, type TempStore } from '../helpers/temp-store.ts';

// The real removal is tested against a daemon (test/daemon/auto-remove.int.test.ts); this one
// injects what a daemon cannot be made to do on demand: a removal that fails.
describe('auto-remover', () => {
  let t: TempStore;
  let remover: AutoRemover | undefined;
  const committed = new Subject<StoredEvent>();
  const logs: string[] = [];
  beforeEach(async () => {
    t = await openTempStore(projections);
    t.store.setOnCommit((events) => events.forEach((e) => committed.next(e)));
  });
  afterEach(async () => {
    await remover?.close();
    await t.dispose();
  });

  const append = (streamId: string, events: NewEvent[]): void => {
    t.store.append(
      [
        {
          streamId,
          namespace: 'default',
          expectedVersion: t.store.streamVersion(streamId),
          events,
        },
      ],
      { correlationId: 'c', source: 'test' },
    );
  };
  const task = () => t.store.load(taskProjection, taskStreamId('default', 'web'))!;
  /** A labelled container whose task runs, so nothing is due yet. */
  const runningLabelledTask = (): void => {
    append(
      containerStreamId('default', 'web'),
      decideCreateContainer(undefined, 'default', {
        id: 'web',
        labels: { [autoRemoveLabel]: 'true' },
        spec: { process: { args: ['true'] } },
        rootfs: '/srv/rootfs',
      }),
    );
    const io = { stdin: '', stdout: '', stderr: '', terminal: false };
    const stream = taskStreamId('default', 'web');
    append(stream, decide.decideCreateIntent(undefined, 'default', 'web', io));
    append(stream, decide.decideCreated(task(), { pid: 42, bundle: '/b', rootfs: [] }));
    append(stream, decide.decideStarted(task(), 42));
  };
  const exit = (): void =>
    append(
      taskStreamId('default', 'web'),
      decide.decideExit(task(), { execId: 'web', pid: 42, status: 0, exitedAt: 'x' }),
    );

  it('fails the waits for the removal when the task cannot be deleted, and logs why', async () => {
    runningLabelledTask();
    remover = createAutoRemover({
      store: t.store,
      tasks: { delete: () => Promise.reject(internal('runc delete exploded')) },
      containers: { delete: () => undefined, deleteAlongWithTask: () => [] },
      committed,
      log: (line) => logs.push(line),
    });
    const removed = remover.removed('default', 'web', new AbortController().signal);
    exit();
    await expect(removed).rejects.toMatchObject({
      code: 'FailedPrecondition',
      message: 'container "web" exited but could not be removed: runc delete exploded',
    });
    expect(logs).toContain('auto-remove of default/web failed: runc delete exploded');
  });

  it('tries a failed removal again when someone waits for it later', async () => {
    runningLabelledTask();
    let attempts = 0;
    remover = createAutoRemover({
      store: t.store,
      // The second attempt deletes the task as a real delete would, with what `also` gives (the
      // container's delete) in the same append.
      tasks: {
        delete: (_ns, _id, options) => {
          if (++attempts === 1) return Promise.reject(internal('runc delete exploded'));
          const stream = taskStreamId('default', 'web');
          t.store.append(
            [
              {
                streamId: stream,
                namespace: 'default',
                expectedVersion: t.store.streamVersion(stream),
                events: decide.decideDeleted(task(), { status: 0, exitedAt: 'x' }),
              },
              ...(options.also?.() ?? []),
            ],
            { correlationId: 'c', source: 'test' },
          );
          return Promise.resolve({ exit_status: 0, exited_at: 'x', pid: 42 });
        },
      },
      containers: {
        delete: () => undefined,
        deleteAlongWithTask: () => [
          {
            streamId: containerStreamId('default', 'web'),
            namespace: 'default',
            expectedVersion: 'any',
            events: [{ topic: '/containers/delete', event: { id: 'web' } }],
          },
        ],
      },
      committed,
      log: (line) => logs.push(line),
    });
    const signal = new AbortController().signal;
    exit();
    await expect(remover.removed('default', 'web', signal)).rejects.toMatchObject({
      code: 'FailedPrecondition',
    });
    await expect(remover.removed('default', 'web', signal)).resolves.toBeUndefined();
    expect(attempts).toBe(2);
  });

  it('does not act inside the append that made the removal due', async () => {
    runningLabelledTask();
    const calls: string[] = [];
    remover = createAutoRemover({
      store: t.store,
      tasks: {
        delete: (_ns, _id, options) => {
          calls.push('tasks.delete');
          options.also?.();
          return Promise.resolve({ exit_status: 0, exited_at: 'x', pid: 42 });
        },
      },
      containers: {
        delete: () => void calls.push('containers.delete'),
        deleteAlongWithTask: () => (calls.push('containers.deleteAlongWithTask'), []),
      },
      committed,
      log: (line) => logs.push(line),
    });
    exit();
    expect(calls).toEqual([]);
    await remover.close();
    expect(calls).toEqual(['tasks.delete', 'containers.deleteAlongWithTask']);
  });
});
