import { describe, expect, it } from 'vitest';
import type { AttachedLine, RunRequest } from '../../src/api/client.ts';
import { autoRemoveLabel } from '../../src/domain/auto-remove.ts';
import { specFor } from '../helpers/busybox-rootfs.ts';
import { withCliDaemon } from '../helpers/cli-daemon.ts';
import type { TestDaemon } from '../helpers/test-daemon.ts';

describe('POST /v1/run: container, task and start in one request', () => {
  let d: TestDaemon;
  let rootfs: string;
  withCliDaemon((fixture) => ({ daemon: d, rootfs } = fixture));

  const request = (
    id: string,
    args: string[],
    labels: Record<string, string> = {},
  ): RunRequest => ({
    container: { id, rootfs, labels, spec: specFor(args) },
  });
  const attached = (run: RunRequest, until?: 'exit' | 'removed'): Promise<AttachedLine[]> =>
    new Promise((resolve, reject) => {
      const out: AttachedLine[] = [];
      d.client.runAttached(run, { until }).subscribe({
        next: (line) => out.push(line),
        error: reject,
        complete: () => resolve(out),
      });
    });
  const topics = async (id: string): Promise<string[]> =>
    new Promise((resolve, reject) => {
      const out: string[] = [];
      d.client.events({ filters: [`event.container_id==${id}`, `event.id==${id}`] }).subscribe({
        next: (e) => out.push(e.topic),
        error: reject,
        complete: () => resolve(out.filter((t) => !t.startsWith('/taskledger/'))),
      });
    });

  it('answers as an attached start, and records each step as its own request would', async () => {
    const run = request('one', ['sh', '-c', 'echo hi; exit 3'], { [autoRemoveLabel]: 'true' });
    const lines = await attached(run, 'removed');
    expect(lines[0]).toMatchObject({ task: { id: 'one', status: 'running' } });
    expect(lines).toContainEqual({ log: expect.objectContaining({ text: 'hi' }) });
    expect(lines.at(-1)).toEqual({ exit: expect.objectContaining({ exit_status: 3 }) });
    await expect(d.client.containers.get('one')).rejects.toMatchObject({ code: 'NotFound' });
    expect(await topics('one')).toEqual([
      '/containers/create',
      '/tasks/create',
      '/tasks/start',
      '/tasks/exit',
      '/tasks/delete',
      '/containers/delete',
    ]);
  });

  it('answers with the container and the task, started or, with start false, only created', async () => {
    const started = await d.client.run(request('bg', ['sleep', '30']));
    expect(started.container.id).toBe('bg');
    expect(started.task).toMatchObject({ id: 'bg', status: 'running' });
    const idle = await d.client.run({ ...request('idle', ['true']), start: false });
    expect(idle.task).toMatchObject({ id: 'idle', status: 'created' });
    for (const id of ['bg', 'idle']) {
      await d.client.tasks.delete(id, { force: true });
      await d.client.containers.delete(id);
    }
  });

  it('removes what it made when a later step fails, if asked to, and leaves it otherwise', async () => {
    const failing = (id: string): RunRequest => request(id, ['no-such-command']);
    await expect(
      d.client.run({ ...failing('undone'), removeOnFailure: true }),
    ).rejects.toMatchObject({ code: 'FailedPrecondition' });
    await expect(d.client.containers.get('undone')).rejects.toMatchObject({ code: 'NotFound' });
    await expect(d.client.run(failing('kept'))).rejects.toMatchObject({
      code: 'FailedPrecondition',
    });
    expect((await d.client.containers.get('kept')).id).toBe('kept');
    expect((await d.client.tasks.get('kept')).status).toBe('failed');
    await d.client.containers.delete('kept');
  });

  it('refuses an id that is taken without touching the container that has it', async () => {
    await d.client.run(request('taken', ['sleep', '30']));
    await expect(
      d.client.run({ ...request('taken', ['true']), removeOnFailure: true }),
    ).rejects.toMatchObject({ code: 'AlreadyExists' });
    expect((await d.client.tasks.get('taken')).status).toBe('running');
    await d.client.tasks.delete('taken', { force: true });
    await d.client.containers.delete('taken');
  });
});
