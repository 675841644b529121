import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { TaskledgerClient } from '../../src/api/client.ts';
import type { EventJson } from '../../src/api/wire-types.ts';
import { busyboxRootfs, specFor } from '../helpers/busybox-rootfs.ts';
import { bundlesLeft, monitorsOfTask, mountsUnder, runcContainers } from '../helpers/leftovers.ts';
import { forceDeleteTasks, startTestDaemon, type TestDaemon } from '../helpers/test-daemon.ts';

describe('tasks on real runc through the API', () => {
  let d: TestDaemon;
  let c: TaskledgerClient;
  let rootfs: string;
  beforeAll(async () => {
    rootfs = await busyboxRootfs();
    d = await startTestDaemon();
    c = d.client;
  });
  afterAll(async () => {
    await forceDeleteTasks(c);
    await d.dispose();
  });

  const container = (id: string, args: string[], spec: Record<string, unknown> = specFor(args)) =>
    c.containers.create({ id, rootfs, spec });
  const events = (filter: string): Promise<EventJson[]> =>
    new Promise((resolve, reject) => {
      const out: EventJson[] = [];
      c.events({ filters: [filter] }).subscribe({
        next: (e) => out.push(e),
        error: reject,
        complete: () => resolve(out),
      });
    });
  async function runToExit(id: string, args: string[]): Promise<number> {
    await container(id, args);
    await c.tasks.create(id);
    await c.tasks.start(id);
    const exit = await c.tasks.wait(id);
    const deleted = await c.tasks.delete(id);
    expect(deleted.exit_status).toBe(exit.exit_status);
    await c.containers.delete(id);
    return exit.exit_status;
  }

  it('reports exit statuses 0, non-zero and 128+signal', async () => {
    expect(await runToExit('ok', ['true'])).toBe(0);
    expect(await runToExit('three', ['sh', '-c', 'exit 3'])).toBe(3);
    // PID 1 ignores signals it has no handler for, so the shell relays a child's death by SIGTERM.
    expect(await runToExit('selfkill', ['sh', '-c', 'sh -c "kill -TERM \\$\\$"; exit $?'])).toBe(
      143,
    );
  });

  it('records the lifecycle as containerd topics, the exit within 100 ms of the real exit time', async () => {
    await runToExit('topics', ['sh', '-c', 'sleep 0.2; exit 7']);
    const seen = await events('event.container_id==topics');
    expect(seen.map((e) => e.topic)).toEqual([
      '/taskledger/tasks/create-intent',
      '/tasks/create',
      '/tasks/start',
      '/tasks/exit',
      '/taskledger/tasks/delete-intent',
      '/tasks/delete',
    ]);
    const exit = seen.find((e) => e.topic === '/tasks/exit')!;
    expect(exit.event).toMatchObject({ container_id: 'topics', id: 'topics', exit_status: 7 });
    expect(exit.event.pid).toBe(seen.find((e) => e.topic === '/tasks/start')!.event.pid);
    const lagMs = Date.parse(exit.timestamp) - Date.parse(exit.event.exited_at as string);
    expect(lagMs).toBeGreaterThanOrEqual(0);
    expect(lagMs).toBeLessThan(100);
  });

  it('kills with a signal name or number, to the init process or all processes', async () => {
    await container('killme', ['sleep', '300']);
    await c.tasks.create('killme');
    await c.tasks.start('killme');
    await c.tasks.kill('killme', { signal: 'SIGKILL' });
    expect((await c.tasks.wait('killme')).exit_status).toBe(137);
    await c.tasks.delete('killme');

    await c.tasks.create('killme');
    await c.tasks.start('killme');
    await c.tasks.exec('killme', 'bg', { args: ['sleep', '300'], cwd: '/', env: ['PATH=/bin'] });
    await c.tasks.startExec('killme', 'bg');
    await c.tasks.kill('killme', { signal: 9, all: true });
    expect((await c.tasks.wait('killme')).exit_status).toBe(137);
    expect((await c.tasks.wait('killme', { execId: 'bg' })).exit_status).toBe(137);
    await c.tasks.delete('killme');
    await c.containers.delete('killme');
  });

  it('pauses and resumes, and refuses illegal transitions naming the current state', async () => {
    await container('pauser', ['sleep', '300']);
    await c.tasks.create('pauser');
    await expect(c.tasks.pause('pauser')).rejects.toMatchObject({
      code: 'FailedPrecondition',
      message: expect.stringContaining('it is created'),
    });
    await c.tasks.start('pauser');
    await expect(c.tasks.start('pauser')).rejects.toMatchObject({
      code: 'FailedPrecondition',
      message: 'cannot start task "pauser": it is running',
    });
    expect((await c.tasks.pause('pauser')).status).toBe('paused');
    await expect(c.tasks.pause('pauser')).rejects.toMatchObject({
      code: 'FailedPrecondition',
      message: 'cannot pause task "pauser": it is paused',
    });
    expect((await c.tasks.resume('pauser')).status).toBe('running');
    await expect(c.containers.delete('pauser')).rejects.toMatchObject({
      code: 'FailedPrecondition',
      message: expect.stringContaining('has a task in state running'),
    });
    await expect(c.tasks.delete('pauser')).rejects.toMatchObject({
      code: 'FailedPrecondition',
      message: expect.stringContaining('use --force'),
    });
    expect((await c.tasks.delete('pauser', { force: true })).exit_status).toBe(137);
    await expect(c.tasks.exec('pauser', 'late', { args: ['true'] })).rejects.toMatchObject({
      code: 'NotFound',
    });
    await c.containers.delete('pauser');
  });

  it('lists pids, runs execs with their own ids and statuses, and reads metrics', async () => {
    await container('busy', ['sleep', '300']);
    await c.tasks.create('busy');
    const { pid } = await c.tasks.start('busy');
    expect((await c.tasks.pids('busy')).map((p) => p.pid)).toContain(pid);
    await c.tasks.exec('busy', 'e1', {
      args: ['sh', '-c', 'echo from-exec; exit 5'],
      cwd: '/',
      env: ['PATH=/bin'],
    });
    const started = await c.tasks.startExec('busy', 'e1');
    expect(started.pid).toBeGreaterThan(0);
    expect(await c.tasks.wait('busy', { execId: 'e1' })).toMatchObject({
      exit_status: 5,
      pid: started.pid,
    });
    await expect(c.tasks.exec('busy', 'e1', { args: ['true'] })).rejects.toMatchObject({
      code: 'AlreadyExists',
    });
    const exitEvent = (await events('event.id==e1'))[0]!;
    expect(exitEvent).toMatchObject({
      topic: '/tasks/exit',
      event: { container_id: 'busy', id: 'e1', exit_status: 5 },
    });
    expect((await c.tasks.deleteExec('busy', 'e1')).exit_status).toBe(5);
    const metrics = (await c.tasks.metrics('busy')) as {
      memory: { usageBytes: number };
      pids: { current: number };
    };
    expect(metrics.memory.usageBytes).toBeGreaterThan(0);
    expect(metrics.pids.current).toBeGreaterThanOrEqual(1);
    await c.tasks.kill('busy', { signal: 'KILL' });
    await c.tasks.wait('busy');
    await expect(c.tasks.exec('busy', 'e2', { args: ['true'] })).rejects.toMatchObject({
      code: 'FailedPrecondition',
      message: expect.stringContaining('it is stopped'),
    });
    await c.tasks.delete('busy');
    await c.containers.delete('busy');
  });

  it('keeps stdout and stderr in the task log with timestamps, and writes stdout to a given file', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'taskledger-io-'));
    await container('talker', ['sh', '-c', 'echo out-line; echo err-line >&2']);
    await c.tasks.create('talker', { stdout: join(dir, 'out.txt') });
    await c.tasks.start('talker');
    await c.tasks.wait('talker');
    const records = await new Promise<{ stream: string; text: string; time: string }[]>(
      (resolve, reject) => {
        const out: { stream: string; text: string; time: string }[] = [];
        c.tasks
          .logs('talker')
          .subscribe({ next: (r) => out.push(r), error: reject, complete: () => resolve(out) });
      },
    );
    expect(records.map((r) => [r.stream, r.text])).toEqual(
      expect.arrayContaining([
        ['stdout', 'out-line'],
        ['stderr', 'err-line'],
      ]),
    );
    for (const r of records) expect(r.time).toMatch(/^\d{4}-\d\d-\d\dT/);
    await c.tasks.delete('talker');
    expect(readFileSync(join(dir, 'out.txt'), 'utf8')).toBe('out-line\n');
    await c.containers.delete('talker');
  });

  it('gives a task a terminal on request, resizes it, and leaves a task without one alone', async () => {
    const waitForSize =
      'until [ "$(stty size 2>/dev/null)" = "30 70" ]; do sleep 0.05; done; tty; exit 2';
    await container('tty', ['sh', '-c', waitForSize]);
    expect((await c.tasks.create('tty', { terminal: true })).terminal).toBe(true);
    await c.tasks.start('tty');
    await c.tasks.resize('tty', { width: 70, height: 30 });
    expect((await c.tasks.wait('tty')).exit_status).toBe(2);
    const records = await new Promise<{ text: string }[]>((resolve, reject) => {
      const out: { text: string }[] = [];
      c.tasks
        .logs('tty')
        .subscribe({ next: (r) => out.push(r), error: reject, complete: () => resolve(out) });
    });
    expect(records.map((r) => r.text)).toEqual(['/dev/pts/0\r']);
    // Exited: nothing to resize, as containerd's shim answers.
    await c.tasks.resize('tty', { width: 80, height: 24 });
    await c.tasks.delete('tty');
    await c.containers.delete('tty');

    await container('no-tty', ['sleep', '600']);
    await c.tasks.create('no-tty');
    await c.tasks.start('no-tty');
    await c.tasks.resize('no-tty', { width: 80, height: 24 });
    await expect(c.tasks.resize('no-tty', { width: -1, height: 24 })).rejects.toMatchObject({
      code: 'InvalidArgument',
      message: 'width must be a whole number from 0 to 65535, not -1',
    });
    await expect(c.tasks.resize('nobody', { width: 80, height: 24 })).rejects.toMatchObject({
      code: 'NotFound',
    });
    await c.tasks.delete('no-tty', { force: true });
    await c.containers.delete('no-tty');
  });

  it('records /tasks/oom when the kernel kills the task for memory, then its 137 exit', async () => {
    const spec = specFor(['sh', '-c', 'head -c 200m /dev/zero | tail']);
    const linux = spec.linux as Record<string, unknown>;
    linux.resources = { ...(linux.resources as object), memory: { limit: 16 * 1024 * 1024 } };
    await container('hungry', [], spec);
    await c.tasks.create('hungry');
    await c.tasks.start('hungry');
    expect((await c.tasks.wait('hungry')).exit_status).toBe(137);
    // The OOM marker and the exit come from two watches: give the OOM a moment to be recorded.
    for (let i = 0; i < 50 && !(await c.tasks.get('hungry')).oom_killed; i++)
      await new Promise((r) => setTimeout(r, 20));
    const topics = (await events('event.container_id==hungry')).map((e) => e.topic);
    expect(topics).toContain('/tasks/oom');
    await c.tasks.delete('hungry');
    await c.containers.delete('hungry');
  });

  it('runs 20 tasks at once, each with its own exit status', async () => {
    const ids = Array.from({ length: 20 }, (_, i) => `many-${i}`);
    await Promise.all(ids.map((id, i) => container(id, ['sh', '-c', `sleep 0.5; exit ${i}`])));
    await Promise.all(ids.map((id) => c.tasks.create(id)));
    await Promise.all(ids.map((id) => c.tasks.start(id)));
    expect((await c.tasks.list()).filter((t) => t.id.startsWith('many-')).length).toBe(20);
    const exits = await Promise.all(ids.map((id) => c.tasks.wait(id)));
    expect(exits.map((e) => e.exit_status)).toEqual(ids.map((_, i) => i));
    await Promise.all(ids.map((id) => c.tasks.delete(id)));
    await Promise.all(ids.map((id) => c.containers.delete(id)));
    expect(await runcContainers(d.state)).toEqual([]);
  });

  describe('runc failures leave nothing behind and a task record that says what failed', () => {
    const expectNothingLeft = async (id: string) => {
      expect(await runcContainers(d.state)).not.toContain(id);
      expect(bundlesLeft(d.state)).not.toContain(id);
      expect(mountsUnder(join(d.state, 'bundles', 'default', id))).toEqual([]);
      expect(monitorsOfTask(d.state, id)).toEqual([]);
      const task = await c.tasks.get(id);
      expect(task.status).toBe('failed');
      const topics = (await events(`event.container_id==${id}`)).map((e) => e.topic);
      expect(topics).toEqual([
        '/taskledger/tasks/create-intent',
        '/taskledger/tasks/create-failed',
      ]);
      // The container can go, and the failed record with it.
      await c.containers.delete(id);
      await expect(c.tasks.get(id)).rejects.toMatchObject({ code: 'NotFound' });
    };

    it('a command missing from the rootfs', async () => {
      await container('nocmd', ['/no/such/command']);
      await expect(c.tasks.create('nocmd')).rejects.toMatchObject({
        message: expect.stringMatching(/no such file or directory|not found/),
      });
      await expectNothingLeft('nocmd');
    });

    it('a spec runc rejects', async () => {
      const spec = specFor(['true']);
      (spec.process as Record<string, unknown>).rlimits = [
        { type: 'RLIMIT_BOGUS', hard: 1, soft: 1 },
      ];
      await container('badspec', ['true'], spec);
      await expect(c.tasks.create('badspec')).rejects.toMatchObject({
        message: expect.stringMatching(/rlimit|RLIMIT_BOGUS/i),
      });
      await expectNothingLeft('badspec');
    });

    it('a missing rootfs directory', async () => {
      await c.containers.create({
        id: 'norootfs',
        rootfs: '/nonexistent/rootfs',
        spec: specFor(['true']),
      });
      await expect(c.tasks.create('norootfs')).rejects.toMatchObject({
        message: expect.stringContaining('/nonexistent/rootfs'),
      });
      await expectNothingLeft('norootfs');
    });
  });
});
