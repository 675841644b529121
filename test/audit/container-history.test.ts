import { describe, expect, it } from 'vitest';
import { buildHistory, type HistoryEntry } from '../../src/domain/container-history.ts';
import { isTaskledgerError } from '../../src/domain/errors.ts';
import type { StoredEvent } from '../../src/domain/event-envelope.ts';
import { formatTimestampNs } from '../../src/domain/timestamp.ts';

const t0 = BigInt(Date.UTC(2026, 10, 29, 4, 0, 0)) * 1_000_000n;
/** The time `ms` milliseconds after t0. */
const at = (ms: number): string => formatTimestampNs(t0 + BigInt(ms) * 1_000_000n);

/** One event of web's streams: stream kind, ms after t0, topic, payload, source. */
type Row = [kind: 'container' | 'task', ms: number, topic: string, event: object, source?: string];

/** Web's events from rows: seq and stream versions follow the order of the rows. */
function log(rows: readonly Row[]): StoredEvent[] {
  const versions = new Map<string, number>();
  return rows.map(([kind, ms, topic, event, source = 'cli run'], i) => {
    const streamId = `${kind}/default/web`;
    const streamVersion = (versions.get(streamId) ?? 0) + 1;
    versions.set(streamId, streamVersion);
    return {
      seq: i + 1,
      streamId,
      streamVersion,
      namespace: 'default',
      topic,
      event: event as Record<string, unknown>,
      timestamp: at(ms),
      correlationId: `r${i + 1}`,
      source,
      hash: '',
    };
  });
}

const spec = { process: { args: ['sh', '-c', 'sleep 5'] } };
const web = { container_id: 'web' };
const monitor = 'daemon runtime monitor';
const byTopic = (entries: readonly HistoryEntry[], topic: string) =>
  entries.filter((e) => e.topic === topic);

/** A full life: created, labelled, task run with an exec and a pause, killed, deleted. */
function fullLife(): StoredEvent[] {
  const labels = { env: 'prod' };
  const dbg = { ...web, exec_id: 'dbg' };
  const exit = (id: string, status: number, ms: number) => ({
    ...web,
    id,
    exit_status: status,
    exited_at: at(ms),
  });
  return log([
    ['container', 0, '/containers/create', { id: 'web', labels, spec }, 'api POST /v1/containers'],
    [
      'container',
      1000,
      '/containers/update',
      { labels: { ...labels, team: 'infra' } },
      'cli label',
    ],
    ['task', 2000, '/taskledger/tasks/create-intent', web],
    ['task', 2100, '/tasks/create', { ...web, pid: 41 }],
    ['task', 2200, '/tasks/start', { ...web, pid: 41 }],
    ['task', 3000, '/tasks/exec-added', { ...dbg, process: { args: ['ls', '-l'] } }],
    ['task', 3100, '/tasks/exec-started', { ...dbg, pid: 50 }],
    ['task', 3600, '/tasks/exit', exit('dbg', 0, 3400), monitor],
    ['task', 4000, '/tasks/paused', web],
    ['task', 6500, '/tasks/resumed', web],
    ['task', 9000, '/tasks/exit', exit('web', 137, 8200), monitor],
    ['task', 9100, '/taskledger/tasks/delete-intent', web],
    ['task', 9200, '/tasks/delete', exit('web', 137, 8200)],
    ['container', 10000, '/containers/delete', { id: 'web' }, 'cli containers rm'],
  ]);
}

const history = (events: readonly StoredEvent[]) =>
  buildHistory({ namespace: 'default', id: 'web', events });

describe('buildHistory', () => {
  it('merges the container and task streams in log order, whatever order they come in', () => {
    const events = fullLife();
    const shuffled = [...events].sort((a, b) => a.streamId.localeCompare(b.streamId));
    expect(history(shuffled).entries.map((e) => e.seq)).toEqual(events.map((e) => e.seq));
  });

  it('says what happened, with the exit status and the signal that killed the task', () => {
    const summaries = history(fullLife())
      .entries.filter((e) => !e.hidden)
      .map((e) => e.summary);
    expect(summaries).toEqual([
      'container created: sh -c "sleep 5", labels env=prod',
      'container updated: set team=infra',
      'task created, pid 41',
      'task started, pid 41',
      'exec dbg added: ls -l',
      'exec dbg started, pid 50',
      'exec dbg exited with status 0',
      'task paused',
      'task resumed',
      'task exited with status 137 (SIGKILL)',
      'task deleted, exit status 137 (SIGKILL)',
      'container deleted',
    ]);
  });

  it('gives the time since creation and how long each run, pause and life lasted', () => {
    const h = history(fullLife());
    const [execExit, taskExit] = byTopic(h.entries, '/tasks/exit');
    // Runs are measured to the process's own exit time, not to when the exit was recorded.
    expect(execExit!.durationNs).toBe(300_000_000n); // started 3100, exited 3400
    expect(taskExit!.durationNs).toBe(6_000_000_000n); // started 2200, exited 8200
    expect(byTopic(h.entries, '/tasks/resumed')[0]!.durationNs).toBe(2_500_000_000n);
    expect(byTopic(h.entries, '/tasks/delete')[0]!.durationNs).toBe(7_200_000_000n);
    expect(byTopic(h.entries, '/containers/delete')[0]!.durationNs).toBe(10_000_000_000n);
    expect(h.entries.slice(0, 3).map((e) => e.sinceCreatedNs)).toEqual([
      0n,
      1_000_000_000n,
      2_000_000_000n,
    ]);
  });

  it('gives a process that exits before its start is recorded a run time of 0, not less', () => {
    const quick = fullLife().slice(0, 7);
    quick.push({
      ...fullLife()[7]!,
      event: { ...web, id: 'dbg', exit_status: 3, exited_at: at(3050) },
    });
    expect(byTopic(history(quick).entries, '/tasks/exit')[0]!.durationNs).toBe(0n);
  });

  it('keeps who caused each event and the request it came from', () => {
    const h = history(fullLife());
    expect(h.entries[0]!.source).toBe('api POST /v1/containers');
    expect(byTopic(h.entries, '/tasks/exit')[1]!.source).toBe(monitor);
    expect(h.entries.at(-1)).toMatchObject({ source: 'cli containers rm', correlationId: 'r14' });
  });

  it('tells a deleted container from a live one', () => {
    const events = fullLife();
    expect(history(events)).toMatchObject({
      exists: false,
      createdAt: at(0),
      deletedAt: at(10000),
    });
    expect(history(events.slice(0, 5))).toMatchObject({
      exists: true,
      createdAt: at(0),
      deletedAt: undefined,
    });
  });

  it('hides resolved intents and marks every bookkeeping event', () => {
    const h = history(fullLife());
    const intents = h.entries.filter((e) => e.topic.endsWith('-intent'));
    expect(intents.map((e) => [e.bookkeeping, e.hidden])).toEqual([
      [true, true],
      [true, true],
    ]);
    expect(h.entries.filter((e) => e.bookkeeping && !e.hidden)).toEqual([]);
  });

  it('shows a failed create with its error, and an intent left without an outcome', () => {
    const error = 'runc create: no such file';
    const h = history(
      log([
        ['container', 0, '/containers/create', { id: 'web', labels: {}, spec }],
        ['task', 10, '/taskledger/tasks/create-intent', web],
        ['task', 20, '/taskledger/tasks/create-failed', { ...web, error }],
        ['task', 30, '/taskledger/tasks/forgotten', web],
        ['task', 40, '/taskledger/tasks/create-intent', web],
      ]),
    );
    expect(h.entries[2]).toMatchObject({
      summary: `task create failed: ${error}`,
      error,
      bookkeeping: true,
      hidden: false,
    });
    expect(h.entries.map((e) => e.hidden)).toEqual([false, true, false, true, false]);
    expect(h.entries.at(-1)!.summary).toBe('task create requested');
  });

  it('starts the times of a re-created container from its new creation', () => {
    const h = history(
      log([
        ['container', 0, '/containers/create', { id: 'web', labels: {}, spec }],
        ['container', 500, '/containers/delete', { id: 'web' }],
        ['container', 2000, '/containers/create', { id: 'web', labels: {}, spec }],
        ['container', 2250, '/containers/update', { id: 'web', labels: {} }],
      ]),
    );
    expect(h.entries.map((e) => e.sinceCreatedNs)).toEqual([0n, 500_000_000n, 0n, 250_000_000n]);
    expect(h.entries[3]!.summary).toBe('container updated (no change)');
    expect(h).toMatchObject({ exists: true, createdAt: at(2000) });
  });

  it('says what was compacted and goes on from the state the snapshot kept', () => {
    const h = buildHistory({
      namespace: 'default',
      id: 'web',
      events: fullLife().slice(9), // compaction took seq 1-9: the task is paused
      compacted: {
        throughSeq: 9,
        throughTimestamp: at(4000),
        events: 9,
        container: {
          namespace: 'default',
          id: 'web',
          labels: { env: 'prod', team: 'infra' },
          spec,
          rootfs: '/r',
          runtime: { name: 'io.containerd.runc.v2', options: null },
          image: '',
          snapshotKey: '',
          createdAt: at(0),
          updatedAt: at(1000),
        },
        task: undefined,
      },
    });
    expect(h.compacted?.events).toBe(9);
    expect(h.createdAt).toBe(at(0));
    expect(h.entries[0]!.sinceCreatedNs).toBe(6_500_000_000n);
    // The start went with the compacted events: the run time is unknown, not made up.
    expect(byTopic(h.entries, '/tasks/exit')[0]!.durationNs).toBeUndefined();
  });

  it('is NotFound for a container the log never heard of', () => {
    let error: unknown;
    try {
      buildHistory({ namespace: 'default', id: 'ghost', events: [] });
    } catch (e) {
      error = e;
    }
    expect(isTaskledgerError(error, 'NotFound')).toBe(true);
    expect((error as Error).message).toBe(
      'no history for container "ghost" in namespace "default"',
    );
  });
});
