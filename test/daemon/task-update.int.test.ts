import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { EventJson } from '../../src/api/wire-types.ts';
import { busyboxRootfs, specFor } from '../helpers/busybox-rootfs.ts';
import { forceDeleteTasks, startTestDaemon, type TestDaemon } from '../helpers/test-daemon.ts';

describe('task update (cgroup limits of a live task)', () => {
  let d: TestDaemon;
  let rootfs: string;
  beforeAll(async () => {
    rootfs = await busyboxRootfs();
    d = await startTestDaemon();
  });
  afterAll(async () => {
    await forceDeleteTasks(d.client);
    await d.dispose();
  });

  const sleeper = async (id: string) => {
    await d.client.containers.create({ id, rootfs, spec: specFor(['sleep', '300']) });
    await d.client.tasks.create(id);
    await d.client.tasks.start(id);
  };
  const updates = (id: string): Promise<EventJson[]> =>
    new Promise((resolve, reject) => {
      const out: EventJson[] = [];
      d.client
        .events({ filters: [`topic=="/taskledger/tasks/updated",event.container_id==${id}`] })
        .subscribe({ next: (e) => out.push(e), error: reject, complete: () => resolve(out) });
    });

  it('applies memory and pids limits through runc and records them', async () => {
    await sleeper('limited');
    const before = await d.client.tasks.metrics('limited');
    const resources = { memory: { limit: 64 * 1024 * 1024 }, pids: { limit: 32 } };
    expect((await d.client.tasks.update('limited', resources)).status).toBe('running');
    const after = (await d.client.tasks.metrics('limited')) as {
      memory: { limitBytes: number };
      pids: { limit: number };
    };
    expect(after.memory.limitBytes).toBe(64 * 1024 * 1024);
    expect(after.pids.limit).toBe(32);
    expect(before).not.toMatchObject({ pids: { limit: 32 } });
    const [recorded] = await updates('limited');
    expect(recorded).toMatchObject({
      source: 'test',
      event: { container_id: 'limited', resources },
    });
    const history = await d.client.history('limited');
    expect(history.entries.map((e) => e.summary)).toContain(
      `task resources updated: ${JSON.stringify(resources)}`,
    );
  });

  it('refuses bad resources, and values the kernel rejects, recording nothing', async () => {
    await sleeper('refused');
    await expect(d.client.tasks.update('refused', { memory: { limits: 1 } })).rejects.toMatchObject(
      {
        code: 'InvalidArgument',
        message:
          'resources.memory.limits cannot be updated (memory takes limit, reservation, swap)',
      },
    );
    await expect(
      d.client.tasks.update('refused', { cpu: { quota: 1000, period: 100 } }),
    ).rejects.toMatchObject({
      code: 'InvalidArgument',
      message: expect.stringMatching(/^the kernel refused these resources: .*invalid argument/),
    });
    expect(await updates('refused')).toEqual([]);
    expect((await d.client.tasks.get('refused')).status).toBe('running');
  });

  it('refuses to update a task that has stopped', async () => {
    await d.client.containers.create({ id: 'ended', rootfs, spec: specFor(['true']) });
    await d.client.tasks.create('ended');
    await d.client.tasks.start('ended');
    await d.client.tasks.wait('ended');
    await expect(d.client.tasks.update('ended', { pids: { limit: 5 } })).rejects.toMatchObject({
      code: 'FailedPrecondition',
      message: 'cannot update task "ended": it is stopped',
    });
  });
});
