import { rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { firstValueFrom } from 'rxjs';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { EventJson } from '../../src/api/wire-types.ts';
import { autoRemoveLabel } from '../../src/domain/auto-remove.ts';
import { containerStreamId, decideUpdateContainer } from '../../src/domain/container.ts';
import { containerProjection } from '../../src/domain/container-projection.ts';
import { taskStreamId } from '../../src/domain/task-evolve.ts';
import { busyboxRootfs, specFor } from '../helpers/busybox-rootfs.ts';
import { simulateHostReboot } from '../helpers/host-reboot.ts';
import { bundlesLeft, runcContainers } from '../helpers/leftovers.ts';
import { monitorExited, processGone } from '../helpers/monitor-exit.ts';
import { appendToStream, editLedgerOffline } from '../helpers/offline-ledger.ts';
import {
  forceDeleteTasks,
  rawRequest,
  startTestDaemon,
  type TestDaemon,
} from '../helpers/test-daemon.ts';

describe('auto-removal of containers labelled taskledger.io/auto-remove', () => {
  let d: TestDaemon | undefined;
  let rootfs: string;
  beforeAll(async () => {
    rootfs = await busyboxRootfs();
  });
  afterEach(async () => {
    if (!d) return;
    await forceDeleteTasks(d.client);
    await d.dispose();
    d = undefined;
  });

  const labelled = { [autoRemoveLabel]: 'true' };
  const startTask = async (id: string, args: string[], labels: Record<string, string>) => {
    await d!.client.containers.create({ id, rootfs, labels, spec: specFor(args) });
    await d!.client.tasks.create(id);
    return d!.client.tasks.start(id);
  };
  const eventsOf = (id: string): Promise<EventJson[]> =>
    new Promise((resolve, reject) => {
      const out: EventJson[] = [];
      d!.client
        .events({ filters: [`event.container_id==${id}`, `event.id==${id}`] })
        .subscribe({ next: (e) => out.push(e), error: reject, complete: () => resolve(out) });
    });
  /** Resolves at the container's `/containers/delete`, however long ago it was recorded. */
  const deleted = (id: string): Promise<EventJson> =>
    firstValueFrom(
      d!.client.events({
        since: '0',
        follow: true,
        filters: [`topic=="/containers/delete",event.id==${id}`],
      }),
    );
  const containerGone = async (id: string): Promise<boolean> =>
    d!.client.containers.get(id).then(
      () => false,
      (error: { code?: string }) => error.code === 'NotFound',
    );

  it('removes task and container once the process exits, with containerd topics in order', async () => {
    d = await startTestDaemon();
    await startTask('once', ['sh', '-c', 'exit 4'], labelled);
    const exit = await d.client.tasks.wait('once', { until: 'removed' });
    expect(exit.exit_status).toBe(4);
    expect(await containerGone('once')).toBe(true);
    const events = (await eventsOf('once')).filter((e) => !e.topic.startsWith('/taskledger/'));
    expect(events.map((e) => e.topic)).toEqual([
      '/containers/create',
      '/tasks/create',
      '/tasks/start',
      '/tasks/exit',
      '/tasks/delete',
      '/containers/delete',
    ]);
    expect(events.at(-2)).toMatchObject({
      source: 'daemon auto-remove',
      event: { exit_status: 4 },
    });
    expect(events.at(-1)!.source).toBe('daemon auto-remove');
    expect(bundlesLeft(d.state)).toEqual([]);
    expect(await runcContainers(d.state)).toEqual([]);
  });

  it('leaves a container without the label, and its stopped task, alone', async () => {
    d = await startTestDaemon();
    await startTask('kept', ['true'], { [autoRemoveLabel]: 'false' });
    await d.client.tasks.wait('kept');
    // Another labelled task's whole removal happens after this exit: enough time to act on it.
    await startTask('after', ['true'], labelled);
    await d.client.tasks.wait('after', { until: 'removed' });
    expect((await d.client.tasks.get('kept')).status).toBe('stopped');
    await d.client.tasks.delete('kept');
    await d.client.containers.delete('kept');
  });

  it('removes a container labelled after its task was deleted, but not one whose task is yet to come', async () => {
    d = await startTestDaemon();
    await startTask('late', ['true'], {});
    await d.client.tasks.wait('late');
    await d.client.tasks.delete('late');
    await d.client.containers.update('late', { labels: labelled });
    expect((await deleted('late')).source).toBe('daemon auto-remove');
    // The same id again: the old task's deletion says nothing of this container.
    await d.client.containers.create({
      id: 'late',
      rootfs,
      labels: labelled,
      spec: specFor(['true']),
    });
    // A label change makes the daemon look: there is nothing to remove yet.
    await d.client.containers.update('late', {
      labels: { other: 'x' },
      update_mask: ['labels.other'],
    });
    await d.client.tasks.create('late');
    expect((await d.client.tasks.get('late')).status).toBe('created');
    await d.client.tasks.start('late');
    expect((await d.client.tasks.wait('late', { until: 'removed' })).exit_status).toBe(0);
  });

  it('removes the container of a task that failed to create', async () => {
    d = await startTestDaemon();
    await d.client.containers.create({
      id: 'broken',
      rootfs,
      labels: labelled,
      spec: specFor(['/no/such/binary']),
    });
    await expect(d.client.tasks.create('broken')).rejects.toThrow(/no\/such\/binary/);
    expect((await deleted('broken')).source).toBe('daemon auto-remove');
    expect(await runcContainers(d.state)).toEqual([]);
  });

  it('removes after a restart what exited while the daemon was down', async () => {
    d = await startTestDaemon();
    // The process ends only once the daemon is down: it waits for a file the test then makes.
    const go = `auto-remove-go-${process.pid}-${Date.now()}`;
    const { pid } = await startTask(
      'down',
      ['sh', '-c', `while [ ! -e /tmp/${go} ]; do sleep 0.05; done`],
      labelled,
    );
    await d.stop();
    writeFileSync(join(rootfs, 'tmp', go), '');
    try {
      await processGone(pid);
      await monitorExited(d, 'down'); // else a quick restart would see the exit live
    } finally {
      rmSync(join(rootfs, 'tmp', go), { force: true });
    }
    const restartedAt = new Date().toISOString();
    await d.restart();
    const gone = await deleted('down');
    expect(gone.source).toBe('daemon auto-remove');
    const exit = (await eventsOf('down')).find((e) => e.topic === '/tasks/exit')!;
    expect(exit).toMatchObject({ source: 'daemon runtime monitor', event: { exit_status: 0 } });
    expect(String(exit.event.exited_at) < restartedAt).toBe(true);
    expect(bundlesLeft(d.state)).toEqual([]);
  });

  it('removes at start what recovery found lost (a host reboot)', async () => {
    d = await startTestDaemon();
    const { pid } = await startTask('rebooted', ['sleep', '300'], labelled);
    await d.stop();
    simulateHostReboot(d, 'rebooted', pid);
    await d.restart();
    // Removed before the daemon served: gone at the first request.
    expect(await containerGone('rebooted')).toBe(true);
    expect(d.logs.join('\n')).toMatch(/auto-remove: 1 containers removed \(default\/rebooted\)/);
    const topics = (await eventsOf('rebooted'))
      .map((e) => e.topic)
      .filter((topic) => !topic.startsWith('/taskledger/'));
    expect(topics.slice(-3)).toEqual(['/tasks/exit', '/tasks/delete', '/containers/delete']);
  });

  it('finishes at start a removal that a crash cut inside the task delete', async () => {
    d = await startTestDaemon();
    // Unlabelled while the scene is set, so that nothing removes it yet.
    await startTask('cut', ['true'], {});
    await d.client.tasks.wait('cut');
    await d.stop();
    // What a crash inside the auto-removal's task delete leaves: the label, and a delete intent
    // with no outcome (the runtime's part may or may not have run).
    await editLedgerOffline(d.root, (store) => {
      const containerStream = containerStreamId('default', 'cut');
      appendToStream(
        store,
        containerStream,
        decideUpdateContainer(store.load(containerProjection, containerStream), 'default', 'cut', {
          labels: labelled,
          updateMask: [`labels.${autoRemoveLabel}`],
        }),
      );
      appendToStream(store, taskStreamId('default', 'cut'), [
        { topic: '/taskledger/tasks/delete-intent', event: { container_id: 'cut' } },
      ]);
    });
    await d.restart();
    // Recovery finished the task's delete; the sweep then took the container, before serving.
    expect(await containerGone('cut')).toBe(true);
    expect(d.logs.join('\n')).toMatch(/auto-remove: 1 containers removed \(default\/cut\)/);
    expect(bundlesLeft(d.state)).toEqual([]);
  });

  it('answers a wait with until at once when the task is missing or until is unknown', async () => {
    d = await startTestDaemon();
    await expect(d.client.tasks.wait('nobody', { until: 'removed' })).rejects.toMatchObject({
      code: 'NotFound',
    });
    const bad = await rawRequest(d.address, 'GET', '/v1/tasks/nobody/wait?until=gone');
    expect(bad.status).toBe(400);
    expect(JSON.parse(bad.body)).toEqual({
      error: { code: 'InvalidArgument', message: 'until must be "exit" or "removed", not "gone"' },
    });
  });
});
