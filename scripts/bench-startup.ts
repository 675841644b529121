/**
 * Startup benchmark: builds logs of growing size (default 100k and 1M events over 10,000
 * containers), then times a real daemon process from spawn to its first API answer, and an
 * offline `admin rebuild` beside it. The inline projections (checkpointed tables) keep startup
 * flat as the log grows; the rebuild time shows what a replay would have cost.
 * Usage: tsx scripts/bench-startup.ts [--sizes 100000,1000000] [--containers 10000] [--runs 5]
 */
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { execa } from 'execa';
import { projections } from '../src/daemon/daemon.ts';
import { containerStreamId, decideCreateContainer } from '../src/domain/container.ts';
import { createSystemClock } from '../src/platform/system-clock.ts';
import type { AppendRequest } from '../src/ports/event-store.ts';
import { openLedgerDatabase } from '../src/store/open-database.ts';
import { createSqliteEventStore } from '../src/store/sqlite-event-store.ts';
import { cliPath, spawnDaemon, stopDaemon, waitReady } from './lib/daemon-process.ts';

const argv = process.argv.slice(2);
const option = (name: string, fallback: string): string => {
  const i = argv.indexOf(`--${name}`);
  return i >= 0 ? argv[i + 1]! : fallback;
};
const sizes = option('sizes', '100000,1000000').split(',').map(Number);
const containers = Number(option('containers', '10000'));
const runs = Number(option('runs', '5'));
const target = 1000;

const median = (xs: number[]): number => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

async function buildLog(root: string, events: number): Promise<number> {
  const db = await openLedgerDatabase(join(root, 'ledger.db'));
  const store = createSqliteEventStore(db, { clock: createSystemClock(), projections });
  const cause = { correlationId: 'bench', source: 'bench-startup' };
  const spec = { process: { args: ['/bin/true'], cwd: '/', env: ['PATH=/bin'] } };
  const started = performance.now();
  const versions = new Map<string, number>();
  let written = 0;
  let batch: AppendRequest[] = [];
  const flush = (): void => {
    store.append(batch, cause);
    batch = [];
  };
  for (let i = 0; i < containers && written < events; i++, written++) {
    const streamId = containerStreamId('default', `c${i}`);
    batch.push({
      streamId,
      namespace: 'default',
      expectedVersion: 0,
      events: decideCreateContainer(undefined, 'default', {
        id: `c${i}`,
        spec,
        rootfs: '/srv/rootfs',
        labels: { n: String(i) },
      }),
    });
    versions.set(streamId, 1);
    if (batch.length === 1000) flush();
  }
  flush();
  // The rest: label updates spread over the containers, appended in batches of 1000 streams.
  while (written < events) {
    const n = Math.min(1000, events - written);
    for (let k = 0; k < n; k++) {
      const i = (written + k) % containers;
      const streamId = containerStreamId('default', `c${i}`);
      const v = versions.get(streamId)!;
      batch.push({
        streamId,
        namespace: 'default',
        expectedVersion: v,
        events: [
          {
            topic: '/containers/update',
            event: {
              id: `c${i}`,
              image: '',
              labels: { n: String(i), round: String(v) },
              snapshot_key: '',
            },
          },
        ],
      });
      versions.set(streamId, v + 1);
    }
    // One stream may appear once per batch only if its expected version is right: n <= containers.
    flush();
    written += n;
  }
  await db.close();
  return performance.now() - started;
}

async function timeStartup(root: string, state: string): Promise<number> {
  const address = join(state, 'bench.sock');
  const t0 = performance.now();
  const daemon = spawnDaemon({ root, state, address });
  try {
    await waitReady(daemon, address, 20_000, 2);
    return performance.now() - t0;
  } finally {
    await stopDaemon(daemon);
  }
}

console.log(
  `startup benchmark: ${containers} containers, ${runs} runs per size, target ${target} ms`,
);
console.log('events      db size    build log    daemon ready (median)    admin rebuild');
for (const size of sizes) {
  const dir = mkdtempSync(join(tmpdir(), 'taskledger-bench-startup-'));
  const root = join(dir, 'root');
  const state = join(dir, 'state');
  await execa('mkdir', ['-p', root, state]);
  const buildMs = await buildLog(root, size);
  const times: number[] = [];
  for (let r = 0; r < runs; r++) times.push(await timeStartup(root, state));
  const rebuildStart = performance.now();
  await execa('node', [cliPath, 'admin', 'rebuild', '--root', root]);
  const rebuildMs = performance.now() - rebuildStart;
  const mb = statSync(join(root, 'ledger.db')).size / 1024 / 1024;
  const ready = median(times);
  console.log(
    `${String(size).padEnd(11)} ${`${mb.toFixed(0)} MB`.padEnd(10)} ${`${(buildMs / 1000).toFixed(1)} s`.padEnd(12)} ${`${ready.toFixed(0)} ms ${ready <= target ? '(target met)' : '(TARGET MISSED)'}`.padEnd(24)} ${(rebuildMs / 1000).toFixed(1)} s`,
  );
  rmSync(dir, { recursive: true, force: true });
}
