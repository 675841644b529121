import { existsSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { createSystemClock } from '../../src/platform/system-clock.ts';
import { parseTimestampNs } from '../../src/domain/timestamp.ts';
import type { RuntimeEvent } from '../../src/ports/runtime.ts';
import { createRuncRuntime } from '../../src/runtime/runc-runtime.ts';
import { createRuntimeLayout } from '../../src/runtime/runtime-layout.ts';
import { busyboxMounts, specFor } from '../helpers/busybox-rootfs.ts';
import {
  findLeftovers,
  initExit,
  withRuntimeFixture,
  type RuntimeFixture,
} from './runtime-fixture.ts';

const clock = createSystemClock();
const nowNs = (): bigint => parseTimestampNs(clock.now());
const ms = (ns: bigint): number => Number(ns) / 1e6;

let fx: RuntimeFixture;
withRuntimeFixture('events', (created) => (fx = created));

/** Subscribes to the runtime's events, stamping each with the wall-clock time it arrived. */
function recordArrivals(): {
  arrivals: Map<string, bigint>;
  counts: Map<string, number>;
  stop: () => void;
} {
  const arrivals = new Map<string, bigint>();
  const counts = new Map<string, number>();
  const subscription = fx.runtime.events().subscribe((event: RuntimeEvent) => {
    if (event.type !== 'exit') return;
    const key = `${event.containerId}/${event.execId}`;
    arrivals.set(key, nowNs());
    counts.set(key, (counts.get(key) ?? 0) + 1);
  });
  return { arrivals, counts, stop: () => subscription.unsubscribe() };
}

describe('runc runtime events (real runc + conmon)', () => {
  it('reports an exit within 100 ms of conmon recording it', async () => {
    const { arrivals, stop } = recordArrivals();
    const task = await fx.create('quick', ['sh', '-c', 'sleep 0.2; exit 4']);
    await task.start();
    const event = await fx.nextEvent(initExit('quick'));
    stop();
    if (event.type !== 'exit') throw new Error('expected an exit');
    const latencyMs = ms(arrivals.get('quick/quick')! - parseTimestampNs(event.exitedAt));
    console.info(`exit event latency (exit file mtime -> event): ${latencyMs.toFixed(1)} ms`);
    expect(event.status).toBe(4);
    expect(latencyMs).toBeGreaterThanOrEqual(0);
    expect(latencyMs).toBeLessThan(100);
    await fx.runtime.delete(task);
  });

  it('records when the process died, not when the runtime learnt of it', async () => {
    const task = await fx.create('timed', ['sleep', '60']);
    await task.start();
    const beforeKill = nowNs();
    await task.kill(9);
    const afterKill = nowNs();
    const event = await fx.nextEvent(initExit('timed'));
    if (event.type !== 'exit') throw new Error('expected an exit');
    const exitedAt = parseTimestampNs(event.exitedAt);
    // File times come from the kernel's coarse clock, which may lag by a tick (<= 10 ms).
    expect(exitedAt).toBeGreaterThan(beforeKill - 10_000_000n);
    expect(exitedAt).toBeLessThan(afterKill + 100_000_000n);
    expect((await fx.runtime.delete(task)).timestamp).toBe(event.exitedAt);
  });

  it('reports an OOM kill under a memory limit, then the exit', async () => {
    const spec = specFor(['sh', '-c', 'head -c 200m /dev/zero | tail']);
    const linux = spec.linux as Record<string, unknown>;
    linux.resources = { ...(linux.resources as object), memory: { limit: 16 * 1024 * 1024 } };
    const oom = fx.nextEvent((e) => e.type === 'oom' && e.containerId === 'hungry');
    const task = await fx.create('hungry', [], { spec });
    await task.start();
    expect(await oom).toEqual({ type: 'oom', namespace: 'default', containerId: 'hungry' });
    const exit = await fx.nextEvent(initExit('hungry'));
    expect(exit.type === 'exit' && exit.status).toBe(137);
    await fx.runtime.delete(task);
  });

  it('replays exits recorded on disk to each new subscriber', async () => {
    const task = await fx.create('old', ['sh', '-c', 'exit 9']);
    await task.start();
    await fx.nextEvent(initExit('old'));
    // A subscriber arriving later still learns of the exit, first.
    const first = await fx.nextEvent(() => true);
    expect(first).toMatchObject({ type: 'exit', containerId: 'old', status: 9, pid: task.pid });
    await fx.runtime.delete(task);
    // Once deleted, it is gone from the replay.
    const replayed: RuntimeEvent[] = [];
    fx.runtime
      .events()
      .subscribe((e) => replayed.push(e))
      .unsubscribe();
    await new Promise((resolve) => setTimeout(resolve, 100));
    expect(replayed.filter((e) => e.containerId === 'old')).toEqual([]);
  });

  it('reports exits that happened while no runtime was watching, after a restart', async () => {
    const stateDir = await mkdtemp(path.join(tmpdir(), 'taskledger-restart-'));
    const first = await createRuncRuntime({ stateDir, clock });
    const task = await first.create('unwatched', {
      namespace: 'default',
      spec: specFor(['sh', '-c', 'sleep 0.3; exit 6']),
      rootfs: await busyboxMounts(),
      io: { terminal: false },
    });
    await task.start();
    await first.close(); // the daemon goes away; conmon keeps monitoring
    while ((await task.exit()) === undefined)
      await new Promise((resolve) => setTimeout(resolve, 50));

    const restarted = await createRuncRuntime({ stateDir, clock });
    try {
      const found = await restarted.get('default', 'unwatched');
      expect(found?.pid).toBe(task.pid);
      const events: RuntimeEvent[] = [];
      const subscription = restarted.events().subscribe((e) => events.push(e));
      await new Promise((resolve) => setTimeout(resolve, 200));
      subscription.unsubscribe();
      expect(events).toEqual([
        expect.objectContaining({
          type: 'exit',
          containerId: 'unwatched',
          status: 6,
          pid: task.pid,
        }),
      ]);
      expect(await restarted.delete(found!)).toMatchObject({ status: 6 });
      expect(await findLeftovers(stateDir)).toEqual({
        runcContainers: [],
        mounts: [],
        conmons: [],
        bundles: [],
      });
      // Closing also removes the empty cgroup parents runc left behind.
      await restarted.close();
      const parent = createRuntimeLayout(stateDir).cgroupParent;
      expect(existsSync(`/sys/fs/cgroup/memory${parent}`)).toBe(false);
      expect(existsSync(`/sys/fs/cgroup/pids${parent}`)).toBe(false);
    } finally {
      await restarted.close();
      await rm(stateDir, { recursive: true, force: true });
    }
  });

  it('lets a create in flight get its report before close returns', async () => {
    const stateDir = await mkdtemp(path.join(tmpdir(), 'taskledger-closing-'));
    const runtime = await createRuncRuntime({ stateDir, clock });
    let created = false;
    const creating = runtime
      .create('in-flight', {
        namespace: 'default',
        spec: specFor(['true']),
        rootfs: await busyboxMounts(),
        io: { terminal: false },
      })
      .then((task) => {
        created = true;
        return task;
      });
    try {
      await new Promise((resolve) => setTimeout(resolve, 20)); // conmon is starting runc
      await runtime.close();
      expect(created).toBe(true); // a daemon closes its store next: the create was recorded
      const task = await creating;
      expect(task.pid).toBeGreaterThan(0);
    } finally {
      const again = await createRuncRuntime({ stateDir, clock });
      const left = await again.get('default', 'in-flight');
      if (left) {
        await left.kill(9, { all: true }).catch(() => undefined);
        await again.delete(left).catch(() => undefined);
      }
      await again.close();
      await rm(stateDir, { recursive: true, force: true });
    }
  });

  it('runs 20 tasks at once and reports each exit once, promptly', async () => {
    const { arrivals, counts, stop } = recordArrivals();
    const ids = Array.from({ length: 20 }, (_, i) => `many-${i}`);
    const tasks = await Promise.all(
      ids.map((id, i) => fx.create(id, ['sh', '-c', `sleep 0.3; exit ${i}`])),
    );
    await Promise.all(tasks.map((task) => task.start()));
    const exits = await Promise.all(ids.map((id) => fx.nextEvent(initExit(id), 15_000)));
    await new Promise((resolve) => setTimeout(resolve, 100));
    stop();
    const latencies = exits.map((event, i) => {
      if (event.type !== 'exit') throw new Error('expected an exit');
      expect(event.status).toBe(i);
      return ms(
        arrivals.get(`${event.containerId}/${event.execId}`)! - parseTimestampNs(event.exitedAt),
      );
    });
    const manyCounts = [...counts.entries()].filter(([key]) => key.startsWith('many-'));
    expect(Object.fromEntries(manyCounts)).toEqual(
      Object.fromEntries(ids.map((id) => [`${id}/${id}`, 1])),
    );
    latencies.sort((a, b) => a - b);
    console.info(
      `20 tasks: exit latency median ${latencies[10]!.toFixed(1)} ms, max ${latencies[19]!.toFixed(1)} ms`,
    );
    // Typical: median 10-35 ms, worst 20-70 ms. When other test files keep both CPUs busy with
    // runc, the daemon itself waits for a CPU and the worst case has reached 180 ms; the median
    // stays low. The single-exit test above holds the strict 100 ms bound.
    expect(latencies[10]).toBeLessThan(100);
    expect(latencies[19]).toBeLessThan(500);
    await Promise.all(tasks.map((task) => fx.runtime.delete(task)));
    const leftovers = await findLeftovers(fx.stateDir);
    expect(leftovers.bundles.filter((b) => b.startsWith('default/many-'))).toEqual([]);
    expect(leftovers.mounts).toEqual([]);
  });
});
