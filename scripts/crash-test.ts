/**
 * Crash test: rounds of mixed load against a real daemon process that is SIGKILLed at a random
 * moment, restarted, and checked:
 *   - the projection equals a replay of the log, and the hash chain holds (`admin verify`);
 *   - each process exit appears exactly once, with its true status for tasks that chose one;
 *   - every runc container under taskledger's root belongs to a live task;
 *   - every event a client saw acknowledged is in the log, unchanged.
 * Usage: tsx scripts/crash-test.ts [--rounds N] [--workers N] [--seed N]
 * Prints `rounds: N, kills: N, exits checked: N, violations: N`; exits 1 on any violation.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { execa } from 'execa';
import { connect, type TaskledgerClient } from '../src/api/client.ts';
import type { EventJson } from '../src/api/wire-types.ts';
import { defaultSpec } from '../src/domain/default-spec.ts';
import { TaskledgerError } from '../src/domain/errors.ts';
import {
  cliPath,
  repoRoot,
  spawnDaemon,
  stopDaemon,
  waitReady,
  type DaemonProcess,
} from './lib/daemon-process.ts';

const args = process.argv.slice(2);
const option = (name: string, fallback: number): number => {
  const i = args.indexOf(`--${name}`);
  return i >= 0 ? Number(args[i + 1]) : fallback;
};
const rounds = option('rounds', 20);
const workers = option('workers', 4);
let seed = option('seed', Date.now() % 100_000);
const random = (): number => {
  seed = (seed * 1103515245 + 12345) & 0x7fffffff;
  return seed / 0x7fffffff;
};
const pick = <T>(items: readonly T[]): T => items[Math.floor(random() * items.length)]!;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

const work = mkdtempSync(join(tmpdir(), 'taskledger-crash-'));
const root = join(work, 'root');
const state = join(work, 'state');
const address = join(work, 'api.sock');
const rootfs = process.env.TASKLEDGER_ROOTFS ?? join(repoRoot, '.cache', 'rootfs');
const violations: string[] = [];
const acknowledged = new Map<number, string>(); // seq -> hash, as clients saw them
let exitsChecked = 0;
let kills = 0;
let counter = 0;

const startDaemon = (): DaemonProcess => spawnDaemon({ root, state, address });

/** One worker: random lifecycle operations until `stop` aborts. */
async function worker(client: TaskledgerClient, stop: AbortSignal): Promise<void> {
  while (!stop.aborted) {
    const id = `w${counter++}`;
    try {
      const choice = pick(['exits', 'exits', 'killed', 'exec', 'pause', 'deleted']);
      const status = Math.floor(random() * 100);
      const args =
        choice === 'exits'
          ? ['sh', '-c', `sleep ${(random() * 0.8).toFixed(2)}; exit ${status}`]
          : ['sleep', '300'];
      await client.containers.create({
        id,
        rootfs,
        spec: defaultSpec({ args }),
        labels: choice === 'exits' ? { 'expect-exit': String(status) } : {},
      });
      await client.tasks.create(id);
      await client.tasks.start(id);
      if (choice === 'exec') {
        await client.tasks.exec(id, 'x', { args: ['sh', '-c', 'exit 7'], cwd: '/' });
        await client.tasks.startExec(id, 'x');
      } else if (choice === 'pause') {
        await client.tasks.pause(id);
        await client.tasks.resume(id);
      } else if (choice === 'killed') {
        await client.tasks.kill(id, { signal: 'SIGKILL' });
      } else if (choice === 'deleted') {
        await client.tasks.delete(id, { force: true });
        await client.containers.delete(id);
      }
    } catch (error) {
      if (stop.aborted) return;
      if (error instanceof TaskledgerError && error.code === 'Internal')
        violations.push(`internal error during load on ${id}: ${error.message}`);
    }
  }
}

/** Collects what a live subscriber saw, as acknowledgements. */
function watchEvents(client: TaskledgerClient, afterSeq: number): { stop: () => void } {
  const subscription = client.events({ since: String(afterSeq + 1), follow: true }).subscribe({
    next: (e) => acknowledged.set(e.seq, e.hash),
    error: () => undefined,
  });
  return { stop: () => subscription.unsubscribe() };
}

async function allEvents(client: TaskledgerClient): Promise<EventJson[]> {
  return new Promise((resolve, reject) => {
    const out: EventJson[] = [];
    client
      .events({})
      .subscribe({ next: (e) => out.push(e), error: reject, complete: () => resolve(out) });
  });
}

async function checkInvariants(client: TaskledgerClient): Promise<void> {
  const events = await allEvents(client);
  const bySeq = new Map(events.map((e) => [e.seq, e.hash]));
  for (const [seq, hash] of acknowledged) {
    if (bySeq.get(seq) !== hash)
      violations.push(
        `acknowledged event ${seq} is ${bySeq.has(seq) ? 'changed' : 'missing'} in the log`,
      );
  }
  const expected = new Map<string, number>();
  for (const e of events) {
    if (
      e.topic === '/containers/create' &&
      (e.event.labels as Record<string, string>)['expect-exit']
    ) {
      expected.set(
        e.event.id as string,
        Number((e.event.labels as Record<string, string>)['expect-exit']),
      );
    }
  }
  const seen = new Map<string, number>();
  for (const e of events.filter((x) => x.topic === '/tasks/exit')) {
    const key = `${e.event.container_id as string}/${e.event.id as string}/${e.event.pid as number}`;
    seen.set(key, (seen.get(key) ?? 0) + 1);
    const want =
      e.event.id === e.event.container_id ? expected.get(e.event.container_id as string) : 7;
    if (want !== undefined && e.event.exit_status !== want)
      violations.push(
        `exit of ${key} recorded as ${e.event.exit_status as number}, expected ${want}`,
      );
  }
  for (const [key, count] of seen)
    if (count !== 1) violations.push(`exit of ${key} recorded ${count} times`);
  exitsChecked = seen.size;
  if (process.env.CRASH_DEBUG)
    process.stderr.write(
      `${events.length} events, topics: ${JSON.stringify(Object.fromEntries([...new Set(events.map((e) => e.topic))].map((t) => [t, events.filter((e) => e.topic === t).length])))}\n`,
    );
  const live = new Set(
    (await client.tasks.list()).filter((t) => t.status !== 'failed').map((t) => t.id),
  );
  const { stdout } = await execa(
    'runc',
    ['--root', join(state, 'runc', 'default'), 'list', '--format', 'json'],
    { reject: false },
  );
  for (const c of (JSON.parse(stdout || 'null') as { id: string }[] | null) ?? []) {
    if (!live.has(c.id)) violations.push(`runc container ${c.id} belongs to no live task`);
  }
}

async function verifyOffline(): Promise<void> {
  const result = await execa('node', [cliPath, 'admin', 'verify', '--root', root], {
    reject: false,
  });
  if (result.exitCode !== 0) violations.push(`admin verify: ${result.stdout} ${result.stderr}`);
}

async function main(): Promise<void> {
  const client = connect(address, { client: 'crash-test' });
  let daemon = startDaemon();
  await waitReady(daemon, address, 30_000);
  for (let round = 1; round <= rounds; round++) {
    const stop = new AbortController();
    const watcher = watchEvents(client, Math.max(0, ...acknowledged.keys()));
    const load = Array.from({ length: workers }, () => worker(client, stop.signal));
    await sleep(1500 + random() * 3000);
    const killed = stopDaemon(daemon, 'SIGKILL');
    kills++;
    stop.abort();
    await Promise.allSettled(load);
    watcher.stop();
    await killed;
    daemon = startDaemon();
    await waitReady(daemon, address, 30_000);
    await sleep(1200); // tasks that chose to exit do so within 0.8 s
    await checkInvariants(client);
    // verify is offline: stop the daemon cleanly, verify, start it again.
    await stopDaemon(daemon);
    await verifyOffline();
    daemon = startDaemon();
    await waitReady(daemon, address, 30_000);
    process.stderr.write(`round ${round}: ${violations.length} violations so far\n`);
  }
  for (const t of await client.tasks.list())
    await client.tasks.delete(t.id, { force: true }).catch(() => undefined);
  for (const c of await client.containers.list())
    await client.containers.delete(c.id).catch(() => undefined);
  await stopDaemon(daemon);
  rmSync(work, { recursive: true, force: true });
  for (const v of violations) process.stderr.write(`violation: ${v}\n`);
  console.log(
    `rounds: ${rounds}, kills: ${kills}, exits checked: ${exitsChecked}, violations: ${violations.length}`,
  );
  process.exitCode = violations.length === 0 ? 0 : 1;
}

await main();
