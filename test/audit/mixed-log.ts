import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import Database from 'better-sqlite3';
import { projections } from '../../src/daemon/daemon.ts';
import {
  containerStreamId,
  decideCreateContainer,
  decideDeleteContainer,
  decideUpdateContainer,
} from '../../src/domain/container.ts';
import { containerProjection } from '../../src/domain/container-projection.ts';
import type { NewEvent } from '../../src/domain/event-envelope.ts';
import * as decide from '../../src/domain/task-decide.ts';
import { taskStreamId } from '../../src/domain/task-evolve.ts';
import { taskProjection } from '../../src/domain/task-projection.ts';
import type { Task } from '../../src/domain/task-state.ts';
import type { EventStore } from '../../src/ports/event-store.ts';
import { openLedgerDatabase } from '../../src/store/open-database.ts';
import { createSqliteEventStore } from '../../src/store/sqlite-event-store.ts';
import { steppingClock } from '../helpers/temp-store.ts';

const io = { stdin: '', stdout: '', stderr: '', terminal: false };
const sources = ['cli run', 'api POST /v1/containers', 'daemon runtime monitor', 'daemon recovery'];

/** A deterministic pseudo-random sequence, so a failure reproduces. */
function random(seed: number): () => number {
  let s = seed;
  return () => {
    s = (s * 1103515245 + 12345) & 0x7fffffff;
    return s / 0x7fffffff;
  };
}

/**
 * Drives containers and tasks through their lifecycles at random through the real deciders,
 * with varied causes; payloads include unicode and integer-like label keys (which JSON reorders).
 */
export function generateMixedLog(store: EventStore, steps: number, seed = 7): void {
  const next = random(seed);
  const pick = <T>(items: readonly T[]): T => items[Math.floor(next() * items.length)]!;
  for (let i = 0; i < steps; i++) {
    const ns = pick(['default', 'prod']);
    const id = `c${Math.floor(next() * 12)}`;
    const cs = containerStreamId(ns, id);
    const ts = taskStreamId(ns, id);
    const container = () => store.load(containerProjection, cs);
    const task = () => store.load(taskProjection, ts);
    const t = () => decide.requireTask(task(), ns, id);
    const apply = (streamId: string, events: () => NewEvent[]): void => {
      let decided: NewEvent[];
      try {
        decided = events();
      } catch {
        return; // not allowed in the current state: nothing to append
      }
      const expectedVersion = store.streamVersion(streamId);
      const cause = { correlationId: `req-${i}`, source: pick(sources) };
      store.append([{ streamId, namespace: ns, expectedVersion, events: decided }], cause);
    };
    const exited = `2026-11-29T00:00:0${i % 10}.000000000Z`;
    switch (pick(['container', 'label', 'delete', 'task', 'task', 'task', 'task', 'task'])) {
      case 'container': {
        const labels = { team: 'ïnfra ✓', '10': 'ten', n: String(i) };
        const spec = { process: { args: ['/bin/sh', '-c', `echo ${i}`] } };
        apply(cs, () => decideCreateContainer(container(), ns, { id, spec, rootfs: '/r', labels }));
        break;
      }
      case 'label':
        apply(cs, () =>
          decideUpdateContainer(container(), ns, id, {
            labels: { [`k${i % 3}`]: next() < 0.3 ? '' : String(i) },
            updateMask: [`labels.k${i % 3}`],
          }),
        );
        break;
      case 'delete':
        if (task() === undefined || task()?.status === 'failed') {
          apply(cs, () => decideDeleteContainer(container(), ns, id));
        }
        break;
      default:
        if (!container()) break;
        apply(ts, () => taskStep(t, task(), ns, id, i, next, exited));
    }
  }
}

/** The next step of a task's life from where it is, with a little randomness. */
function taskStep(
  t: () => Task,
  task: Task | undefined,
  ns: string,
  id: string,
  i: number,
  next: () => number,
  exitedAt: string,
): NewEvent[] {
  switch (task?.status) {
    case undefined:
    case 'failed':
      return [
        ...decide.decideForget(task),
        ...decide.decideCreateIntent(task?.status === 'failed' ? undefined : task, ns, id, io),
      ];
    case 'creating':
      return next() < 0.15
        ? decide.decideCreateFailed(t(), `runc create failed (${i})`)
        : decide.decideCreated(t(), { pid: 100 + i, bundle: '/b', rootfs: [] });
    case 'created':
      return decide.decideStarted(t(), 200 + i);
    case 'running': {
      const r = next();
      if (r < 0.15) return decide.decidePaused(t());
      if (r < 0.3) return decide.decideExit(task, { execId: id, pid: 1, status: 137, exitedAt });
      const x = task.execs[`e${i % 2}`];
      if (!x) return decide.decideExecAdded(t(), `e${i % 2}`, { args: ['ls'] }, io);
      if (x.status === 'created') return decide.decideExecStarted(t(), x.execId, 300 + i);
      if (x.status === 'running') {
        return decide.decideExit(task, { execId: x.execId, pid: 1, status: 2, exitedAt });
      }
      return decide.decideExecDeleted(t(), x.execId);
    }
    case 'paused':
      return decide.decideResumed(t());
    case 'stopped':
      return decide.decideDeleteIntent(t());
    default:
      return decide.decideDeleted(t(), { status: 137, exitedAt });
  }
}

/** A new root in a temp dir whose ledger holds a mixed log of (about) `steps` steps. */
export async function mixedRoot(steps: number, seed = 7): Promise<string> {
  const root = mkdtempSync(join(tmpdir(), 'taskledger-audit-'));
  const db = await openLedgerDatabase(join(root, 'ledger.db'));
  // Fixture data needs no durability: skipping the fsync per append makes it ten times faster.
  db.sqlite.pragma('synchronous = OFF');
  try {
    const store = createSqliteEventStore(db, { clock: steppingClock(), projections });
    generateMixedLog(store, steps, seed);
  } finally {
    await db.close();
  }
  return root;
}

/** Reads a closed root's database directly (as another program, or a person with sqlite3, would). */
export function withFile<T>(root: string, work: (db: Database.Database) => T): T {
  const db = new Database(join(root, 'ledger.db'));
  try {
    return work(db);
  } finally {
    db.close();
  }
}

/** Everything an import must reproduce: the events, the projection rows, the last hash. */
export function ledgerContents(root: string): {
  events: unknown[];
  containers: unknown[];
  tasks: unknown[];
  lastHash: string | undefined;
} {
  return withFile(root, (db) => {
    const events = db.prepare('select * from events order by seq').all();
    return {
      events,
      containers: db.prepare('select * from containers order by namespace, id').all(),
      tasks: db.prepare('select * from tasks order by namespace, container_id').all(),
      lastHash: (events.at(-1) as { hash: string } | undefined)?.hash,
    };
  });
}

/** A writable that keeps what is written, for `adminExport`. */
export function collector(): { stream: PassThrough; text: () => string } {
  const stream = new PassThrough();
  const chunks: Buffer[] = [];
  stream.on('data', (c: Buffer) => chunks.push(c));
  return { stream, text: () => Buffer.concat(chunks).toString('utf8') };
}

/** The lines of `text`, as readline would give them. */
export async function* linesOf(text: string): AsyncGenerator<string> {
  for (const line of text.split('\n')) yield await Promise.resolve(line);
}
