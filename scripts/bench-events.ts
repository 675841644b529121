/**
 * Event store and bus benchmarks, printed on one run (`npx tsx scripts/bench-events.ts`):
 * append throughput (one durable event per transaction, and 1000 per transaction), catch-up
 * throughput (SQLite into a subscriber through the bus, as `GET /v1/events?since=` reads), and
 * live fan-out latency from commit to delivery for 1, 100 and 1000 subscribers.
 *
 * Each figure is the median of several rounds (BENCH_ROUNDS, default 5) on a real file in the
 * system temp dir, WAL + synchronous=FULL as the daemon runs. Events are container label updates
 * (about 170 bytes) that each update a `containers` row inline, as real appends do.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import Database from 'better-sqlite3';
import { projections } from '../src/daemon/daemon.ts';
import type { StoredEvent } from '../src/domain/event-envelope.ts';
import type { AppendRequest } from '../src/ports/event-store.ts';
import { createSystemClock } from '../src/platform/system-clock.ts';
import { createEventBus, type EventBus } from '../src/services/event-bus.ts';
import { openLedgerDatabase, type LedgerDatabase } from '../src/store/open-database.ts';
import { createSqliteEventStore, type SqliteEventStore } from '../src/store/sqlite-event-store.ts';
import { decideCreateContainer } from '../src/domain/container.ts';

const rounds = Number(process.env.BENCH_ROUNDS ?? 5);
const containers = 100;
const cause = { correlationId: 'bench', source: 'bench' };

interface Ledger {
  readonly db: LedgerDatabase;
  readonly store: SqliteEventStore;
  readonly bus: EventBus;
  close(): Promise<void>;
}

/** A fresh root with `containers` containers, its store and a bus wired as the daemon wires them. */
async function openLedger(): Promise<Ledger> {
  const dir = mkdtempSync(join(tmpdir(), 'taskledger-bench-'));
  const db = await openLedgerDatabase(join(dir, 'ledger.db'));
  const store = createSqliteEventStore(db, { clock: createSystemClock(), projections });
  const bus = createEventBus({
    readPage: (afterSeq, limit) => store.readAll({ afterSeq, limit }),
    bufferLimit: 100_000,
  });
  store.setOnCommit((events) => bus.publish(events));
  const spec = { process: { args: ['/bin/sh', '-c', 'sleep 1'] } };
  store.append(
    Array.from({ length: containers }, (_, i) => ({
      streamId: `container/bench/c${i}`,
      namespace: 'bench',
      expectedVersion: 0,
      events: decideCreateContainer(undefined, 'bench', {
        id: `c${i}`,
        spec,
        rootfs: '/srv/rootfs',
      }),
    })),
    cause,
  );
  return {
    db,
    store,
    bus,
    async close() {
      bus.close();
      await db.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

let counter = 0;
/** `count` label updates spread over the containers, `perStream` consecutive events per stream. */
function updates(count: number, perStream = 1): AppendRequest[] {
  const requests: AppendRequest[] = [];
  for (let i = 0; i < count; i += perStream) {
    const id = `c${counter++ % containers}`;
    const events = Array.from({ length: Math.min(perStream, count - i) }, () => ({
      topic: '/containers/update',
      event: {
        id,
        image: '',
        labels: { 'com.example.team': 'infra', rev: String(counter) },
        snapshot_key: '',
      },
    }));
    requests.push({
      streamId: `container/bench/${id}`,
      namespace: 'bench',
      expectedVersion: 'any',
      events,
    });
  }
  return requests;
}

function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}

function percentile(sorted: Float64Array, p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]!;
}

async function medianOf(work: () => Promise<number>): Promise<number> {
  const results: number[] = [];
  for (let r = 0; r < rounds; r++) results.push(await work());
  return median(results);
}

async function singleAppends(): Promise<number> {
  const l = await openLedger();
  const n = 2000;
  const start = performance.now();
  for (let i = 0; i < n; i++) l.store.append(updates(1), cause);
  const rate = n / ((performance.now() - start) / 1000);
  await l.close();
  return rate;
}

async function batchedAppends(): Promise<number> {
  const l = await openLedger();
  const batches = 100;
  const start = performance.now();
  // 1000 events per transaction: 100 streams, 10 events each.
  for (let i = 0; i < batches; i++) l.store.append(updates(1000, 10), cause);
  const rate = (batches * 1000) / ((performance.now() - start) / 1000);
  await l.close();
  return rate;
}

/** A ledger of `total` events for the catch-up rounds (built once: it takes a few seconds). */
async function bigLedger(total: number): Promise<Ledger> {
  const l = await openLedger();
  l.db.sqlite.pragma('synchronous = OFF'); // building the fixture only; reads do not care
  while (l.store.lastSeq() < total) l.store.append(updates(1000, 10), cause);
  l.db.sqlite.pragma('synchronous = FULL');
  return l;
}

/** Events/s from SQLite through `bus.consume` (the API's path: async handler, bounded buffer). */
async function catchUpConsume(l: Ledger): Promise<number> {
  const last = l.store.lastSeq();
  let seen = 0;
  const start = performance.now();
  await l.bus.consume({ afterSeq: 0, untilSeq: last }, () => {
    seen += 1;
  });
  if (seen !== last) throw new Error(`catch-up delivered ${seen} of ${last}`);
  return last / ((performance.now() - start) / 1000);
}

/** Events/s from SQLite through `bus.subscribe` (synchronous delivery). */
async function catchUpSubscribe(l: Ledger): Promise<number> {
  const last = l.store.lastSeq();
  let seen = 0;
  const start = performance.now();
  await new Promise<void>((resolve, reject) => {
    l.bus.subscribe({ afterSeq: 0, untilSeq: last }).subscribe({
      next: () => (seen += 1),
      error: reject,
      complete: resolve,
    });
  });
  if (seen !== last) throw new Error(`catch-up delivered ${seen} of ${last}`);
  return last / ((performance.now() - start) / 1000);
}

/**
 * Live fan-out: `subscribers` consumers (the API's path) follow the log; single durable appends
 * run one per event-loop turn; latency = delivery to a handler minus the end of the commit.
 */
async function fanOut(subscribers: number): Promise<{ p50: number; p99: number }> {
  const l = await openLedger();
  const events = subscribers >= 1000 ? 200 : 500;
  const committedAt = new Map<number, number>();
  l.store.setOnCommit((stored: readonly StoredEvent[]) => {
    const now = performance.now();
    for (const e of stored) committedAt.set(e.seq, now);
    l.bus.publish(stored);
  });
  const latencies = new Float64Array(events * subscribers);
  let n = 0;
  const from = l.store.lastSeq();
  // Each consumer completes by itself once it has had the last event (untilSeq).
  const consumers = Array.from({ length: subscribers }, () =>
    l.bus.consume({ afterSeq: from, untilSeq: from + events }, (e) => {
      latencies[n++] = performance.now() - committedAt.get(e.seq)!;
    }),
  );
  await new Promise((resolve) => setTimeout(resolve, 50)); // every consumer is live
  for (let i = 0; i < events; i++) {
    l.store.append(updates(1), cause);
    await new Promise((resolve) => setImmediate(resolve));
  }
  await Promise.all(consumers);
  await l.close();
  if (n !== latencies.length) throw new Error(`fan-out delivered ${n} of ${latencies.length}`);
  const sorted = latencies.sort();
  return { p50: percentile(sorted, 50), p99: percentile(sorted, 99) };
}

const int = (n: number): string => Math.round(n).toLocaleString('en-US');
const row = (label: string, value: string, target: string, verdict = ''): void => {
  console.log(
    `${label.padEnd(58)}${value.padStart(20)}   ${target}${verdict ? `  ${verdict}` : ''}`,
  );
};
const verdict = (met: boolean): string => (met ? 'met' : 'MISSED');

async function main(): Promise<void> {
  const sqliteVersion = (
    new Database(':memory:').prepare('select sqlite_version() as v').get() as { v: string }
  ).v;
  console.log(
    `taskledger event benchmarks: Node ${process.version}, SQLite ${sqliteVersion}, WAL + synchronous=FULL, ${tmpdir()}; median of ${rounds} rounds`,
  );
  console.log('');
  row(
    'append, 1 event per transaction (fsync each)',
    `${int(await medianOf(singleAppends))} ev/s`,
    '(no target)',
  );
  row(
    'append, 1000 events per transaction',
    `${int(await medianOf(batchedAppends))} ev/s`,
    '(no target)',
  );

  const total = 200_000;
  const big = await bigLedger(total);
  const consumeRate = await medianOf(() => catchUpConsume(big));
  const subscribeRate = await medianOf(() => catchUpSubscribe(big));
  await big.close();
  row(
    `catch-up ${int(total)} events, bus.consume (API path)`,
    `${int(consumeRate)} ev/s`,
    'target >= 200,000 ev/s',
    verdict(consumeRate >= 200_000),
  );
  row(
    `catch-up ${int(total)} events, bus.subscribe`,
    `${int(subscribeRate)} ev/s`,
    'target >= 200,000 ev/s',
    verdict(subscribeRate >= 200_000),
  );

  for (const subscribers of [1, 100, 1000]) {
    const results: { p50: number; p99: number }[] = [];
    for (let r = 0; r < rounds; r++) results.push(await fanOut(subscribers));
    const p50 = median(results.map((x) => x.p50));
    const p99 = median(results.map((x) => x.p99));
    const target = subscribers === 1000 ? 'target p99 < 5 ms' : '(target is for 1000)';
    row(
      `live fan-out, commit to delivery, ${subscribers} subscriber(s)`,
      `p50 ${p50.toFixed(3)} ms, p99 ${p99.toFixed(3)} ms`,
      target,
      subscribers === 1000 ? verdict(p99 < 5) : '',
    );
  }
}

await main();
