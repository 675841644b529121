import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { EventJson } from '../../src/api/wire-types.ts';
import { containerProjection } from '../../src/domain/container-projection.ts';
import { taskStreamId } from '../../src/domain/task-evolve.ts';
import { createSystemClock } from '../../src/platform/system-clock.ts';
import { createRuncRuntime } from '../../src/runtime/runc-runtime.ts';
import { busyboxRootfs, specFor } from '../helpers/busybox-rootfs.ts';
import { simulateHostReboot } from '../helpers/host-reboot.ts';
import { bundlesLeft, mountsUnder, runcContainers } from '../helpers/leftovers.ts';
import { monitorExited } from '../helpers/monitor-exit.ts';
import { appendToStream, editLedgerOffline } from '../helpers/offline-ledger.ts';
import { forceDeleteTasks, startTestDaemon, type TestDaemon } from '../helpers/test-daemon.ts';

describe('daemon restart', () => {
  let d: TestDaemon | undefined;
  let rootfs: string;
  beforeAll(async () => {
    rootfs = await busyboxRootfs();
  });
  afterEach(async () => {
    if (!d) return;
    await d.restart().catch(() => undefined);
    await forceDeleteTasks(d.client);
    await d.dispose();
    d = undefined;
  });

  const events = (filter: string): Promise<EventJson[]> =>
    new Promise((resolve, reject) => {
      const out: EventJson[] = [];
      d!.client
        .events({ filters: [filter] })
        .subscribe({ next: (e) => out.push(e), error: reject, complete: () => resolve(out) });
    });
  const startTask = async (id: string, args: string[]) => {
    await d!.client.containers.create({ id, rootfs, spec: specFor(args) });
    await d!.client.tasks.create(id);
    return d!.client.tasks.start(id);
  };
  /** Edits the log offline, as a daemon killed between an intent and its outcome would leave it. */
  const appendOffline = (streamId: string, topic: string, event: Record<string, unknown>) =>
    editLedgerOffline(d!.root, (store) => {
      appendToStream(store, streamId, [{ topic, event }]);
      expect(store.load(containerProjection, 'container/default/x')).toBeUndefined();
    });

  it('re-attaches running tasks: kill, exec, pause, logs and their later exit work', async () => {
    d = await startTestDaemon();
    const { pid } = await startTask('keeps', ['sh', '-c', 'echo before; sleep 300']);
    await d.stop();
    expect(() => process.kill(pid, 0)).not.toThrow(); // the task outlived the daemon
    await d.restart();
    const c = d.client;
    expect((await c.tasks.get('keeps')).status).toBe('running');
    await c.tasks.exec('keeps', 'after', { args: ['sh', '-c', 'exit 9'] });
    await c.tasks.startExec('keeps', 'after');
    expect((await c.tasks.wait('keeps', { execId: 'after' })).exit_status).toBe(9);
    await c.tasks.pause('keeps');
    await c.tasks.resume('keeps');
    const logs = await new Promise<string[]>((resolve, reject) => {
      const out: string[] = [];
      c.tasks
        .logs('keeps')
        .subscribe({ next: (r) => out.push(r.text), error: reject, complete: () => resolve(out) });
    });
    expect(logs).toContain('before');
    await c.tasks.kill('keeps', { signal: 'SIGKILL' });
    expect((await c.tasks.wait('keeps')).exit_status).toBe(137);
  });

  it('records an exit that happened while the daemon was down with its real status and time', async () => {
    d = await startTestDaemon();
    await startTask('quitter', ['sh', '-c', 'sleep 0.3; exit 42']);
    await d.stop();
    await monitorExited(d, 'quitter');
    const restartedAt = new Date().toISOString();
    await d.restart();
    const exit = await d.client.tasks.wait('quitter');
    expect(exit.exit_status).toBe(42);
    expect(exit.exited_at < restartedAt).toBe(true);
    const exits = (await events('event.container_id==quitter')).filter(
      (e) => e.topic === '/tasks/exit',
    );
    expect(exits).toHaveLength(1);
    expect(exits[0]!.source).toBe('daemon runtime monitor');
    // A second restart does not record it again.
    await d.restart();
    expect(await events('topic=="/tasks/exit",event.container_id==quitter')).toHaveLength(1);
  });

  it('records 255 with a reason when the runtime state vanished, and cleans the leftovers', async () => {
    d = await startTestDaemon();
    const { pid } = await startTask('rebooted', ['sleep', '300']);
    await d.stop();
    simulateHostReboot(d, 'rebooted', pid);
    await d.restart();
    const exit = (await events('topic=="/tasks/exit",event.container_id==rebooted'))[0]!;
    expect(exit.event).toMatchObject({
      exit_status: 255,
      reason: expect.stringContaining('runtime state lost'),
    });
    expect(exit.source).toBe('daemon recovery');
    expect((await d.client.tasks.wait('rebooted')).exit_status).toBe(255);
    expect(bundlesLeft(d.state)).not.toContain('rebooted');
    expect(mountsUnder(join(d.state, 'bundles'))).toEqual([]);
    expect((await d.client.tasks.delete('rebooted')).exit_status).toBe(255);
    await d.client.containers.delete('rebooted');
  });

  it('rolls back a create cut in the middle and finishes a delete cut in the middle', async () => {
    d = await startTestDaemon();
    await d.client.containers.create({
      id: 'halfcreated',
      rootfs,
      spec: specFor(['sleep', '300']),
    });
    await startTask('halfdeleted', ['sh', '-c', 'exit 3']);
    await d.client.tasks.wait('halfdeleted');
    await d.stop();
    // What a crash leaves: a create intent whose runc container exists, and a delete intent.
    await appendOffline(taskStreamId('default', 'halfcreated'), '/taskledger/tasks/create-intent', {
      container_id: 'halfcreated',
      io: {},
    });
    const runtime = await createRuncRuntime({ stateDir: d.state, clock: createSystemClock() });
    await runtime.create('halfcreated', {
      namespace: 'default',
      spec: specFor(['sleep', '300']),
      rootfs: [{ type: 'bind', source: rootfs, options: ['rbind', 'ro'] }],
      io: { terminal: false },
    });
    await runtime.close();
    await appendOffline(taskStreamId('default', 'halfdeleted'), '/taskledger/tasks/delete-intent', {
      container_id: 'halfdeleted',
    });
    await d.restart();
    const created = await d.client.tasks.get('halfcreated');
    expect(created).toMatchObject({
      status: 'failed',
      error: expect.stringContaining('rolled back'),
    });
    await expect(d.client.tasks.get('halfdeleted')).rejects.toMatchObject({ code: 'NotFound' });
    const deleted = (await events('topic=="/tasks/delete",event.container_id==halfdeleted'))[0]!;
    expect(deleted.event).toMatchObject({ exit_status: 3 });
    expect(await runcContainers(d.state)).toEqual([]);
    expect(bundlesLeft(d.state)).toEqual([]);
    // And the rolled-back container can get a task again.
    await d.client.tasks.create('halfcreated');
    await d.client.tasks.delete('halfcreated');
  });

  it('reports and removes runc containers under its root that no task knows', async () => {
    d = await startTestDaemon();
    await d.stop();
    const runtime = await createRuncRuntime({ stateDir: d.state, clock: createSystemClock() });
    await runtime.create('stray', {
      namespace: 'default',
      spec: specFor(['sleep', '300']),
      rootfs: [{ type: 'bind', source: rootfs, options: ['rbind', 'ro'] }],
      io: { terminal: false },
    });
    await runtime.close();
    expect(await runcContainers(d.state)).toEqual(['stray']);
    await d.restart();
    expect(await runcContainers(d.state)).toEqual([]);
    expect(d.logs.join('\n')).toContain('recovery: removing orphan runtime task default/stray');
    expect(existsSync(join(d.state, 'bundles', 'default', 'stray'))).toBe(false);
  });

  it('fails a waiting client with Unavailable when the daemon stops, and it can wait again after', async () => {
    d = await startTestDaemon();
    await startTask('waited', ['sleep', '300']);
    // The expectation is attached before the stop, so the rejection is never unhandled.
    const waiting = expect(d.client.tasks.wait('waited')).rejects.toMatchObject({
      code: 'Unavailable',
    });
    await new Promise((r) => setTimeout(r, 100));
    await d.stop();
    await waiting;
    await d.restart();
    const again = d.client.tasks.wait('waited');
    await d.client.tasks.kill('waited', { signal: 'SIGKILL' });
    expect((await again).exit_status).toBe(137);
  });
});
