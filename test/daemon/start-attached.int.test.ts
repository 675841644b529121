import { describe, expect, it } from 'vitest';
import type { AttachedLine } from '../../src/api/client.ts';
import { autoRemoveLabel } from '../../src/domain/auto-remove.ts';
import { specFor } from '../helpers/busybox-rootfs.ts';
import { withCliDaemon } from '../helpers/cli-daemon.ts';
import { bundlesLeft } from '../helpers/leftovers.ts';
import { rawRequest, type TestDaemon } from '../helpers/test-daemon.ts';

describe('a start with attach: the task, its output and its exit in one answer', () => {
  let d: TestDaemon;
  let rootfs: string;
  withCliDaemon((fixture) => ({ daemon: d, rootfs } = fixture));

  const created = async (id: string, args: string[], labels: Record<string, string> = {}) => {
    await d.client.containers.create({ id, rootfs, labels, spec: specFor(args) });
    await d.client.tasks.create(id);
  };
  const lines = (id: string, until?: 'exit' | 'removed'): Promise<AttachedLine[]> =>
    new Promise((resolve, reject) => {
      const out: AttachedLine[] = [];
      d.client.tasks.startAttached(id, { until }).subscribe({
        next: (line) => out.push(line),
        error: reject,
        complete: () => resolve(out),
      });
    });

  it('streams the running task, every line it writes in order, then its exit', async () => {
    // Written at once: a process that ends this fast must not outrun the daemon's listening.
    await created('talk', ['sh', '-c', 'echo one; echo two >&2; printf three; exit 5']);
    const got = await lines('talk');
    expect(got[0]).toMatchObject({ task: { id: 'talk', status: 'running' } });
    // In order within a stream; conmon reads stdout and stderr from two pipes, so not across.
    const logs = got.slice(1, -1).map((line) => ('log' in line ? line.log : undefined));
    const of = (stream: string) =>
      logs.filter((l) => l?.stream === stream).map((l) => [l!.text, l!.full]);
    expect(of('stdout')).toEqual([
      ['one', true],
      ['three', false],
    ]);
    expect(of('stderr')).toEqual([['two', true]]);
    expect(logs).toHaveLength(3);
    expect(got.at(-1)).toEqual({ exit: expect.objectContaining({ exit_status: 5 }) });
    expect((await d.client.tasks.get('talk')).status).toBe('stopped');
    await d.client.tasks.delete('talk');
    await d.client.containers.delete('talk');
  });

  it('with until=removed, ends once the daemon has removed the container', async () => {
    await created('gone', ['sh', '-c', 'exit 2'], { [autoRemoveLabel]: 'true' });
    expect((await lines('gone', 'removed')).at(-1)).toEqual({
      exit: expect.objectContaining({ exit_status: 2 }),
    });
    await expect(d.client.containers.get('gone')).rejects.toMatchObject({ code: 'NotFound' });
    expect(bundlesLeft(d.state)).not.toContain('gone');
  });

  it('answers a start that fails with its error, as a plain start does, and keeps serving', async () => {
    await created('twice', ['sleep', '30']);
    await d.client.tasks.start('twice');
    await expect(lines('twice')).rejects.toMatchObject({ code: 'FailedPrecondition' });
    await expect(lines('nobody')).rejects.toMatchObject({ code: 'NotFound' });
    const bad = await rawRequest(
      d.address,
      'POST',
      '/v1/tasks/twice/start?attach=1&until=gone',
      '{}',
    );
    expect(bad.status).toBe(400);
    expect(JSON.parse(bad.body)).toEqual({
      error: { code: 'InvalidArgument', message: 'until must be "exit" or "removed", not "gone"' },
    });
    await d.client.tasks.kill('twice', { signal: 'SIGKILL' });
    expect((await d.client.tasks.wait('twice')).exit_status).toBe(137);
    expect(d.logs.filter((l) => l.startsWith('internal error'))).toEqual([]);
  });
});
