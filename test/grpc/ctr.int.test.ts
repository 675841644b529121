import { firstValueFrom, toArray } from 'rxjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { EventJson } from '../../src/api/wire-types.ts';
import { busyboxRootfs, specFor } from '../helpers/busybox-rootfs.ts';
import {
  ctr,
  type CtrEvents,
  ctrOnTerminal,
  ctrPathEnv,
  startCtr,
  startLiveCtrEvents,
} from './ctr-runner.ts';
import { startGrpcTestDaemon, type GrpcTestDaemon } from './grpc-test-daemon.ts';
import { forceDeleteTasks } from '../helpers/test-daemon.ts';

/**
 * What containerd 1.6.20 itself prints on `ctr events` for the same commands, measured on this
 * machine (`containerd --config` on a temp root, the same busybox rootfs and `ctr` binary).
 */
const containerdTopics = {
  runRm: [
    '/containers/create',
    '/tasks/create',
    '/tasks/start',
    '/tasks/exit',
    '/tasks/delete',
    '/containers/delete',
  ],
  detachedLifecycle: [
    '/containers/create', // ctr run -d
    '/tasks/create',
    '/tasks/start',
    '/containers/update', // ctr containers label
    '/tasks/exec-added', // ctr tasks exec
    '/tasks/exec-started',
    '/tasks/exit',
    '/tasks/paused', // ctr tasks pause
    '/tasks/resumed', // ctr tasks resume
    '/tasks/exit', // ctr tasks kill -s SIGKILL
    '/tasks/delete', // ctr tasks delete
    '/containers/delete', // ctr containers rm
  ],
};

const env = ctrPathEnv;

describe('the stock ctr 1.6 against taskledger', () => {
  let d: GrpcTestDaemon;
  let rootfs: string;
  let events: CtrEvents;
  const run = (...args: string[]) => ctr(d.grpcAddress, args);
  const logOf = async (containerId: string): Promise<EventJson[]> =>
    firstValueFrom(
      d.client
        .events({ filters: [`event.container_id==${containerId}`, `event.id==${containerId}`] })
        .pipe(toArray()),
    );

  beforeAll(async () => {
    rootfs = await busyboxRootfs();
    d = await startGrpcTestDaemon();
    // Containers in a namespace of their own until ctr events shows one: the subscription is
    // then known to be live before the tests start.
    const warmup = d.client.withNamespace('warmup');
    events = await startLiveCtrEvents(d.grpcAddress, async (i) => {
      await warmup.containers.create({
        id: `w${i}`,
        rootfs,
        spec: { process: { args: ['true'] } },
      });
      await warmup.containers.delete(`w${i}`);
    });
  });

  afterAll(async () => {
    await events.stop();
    await forceDeleteTasks(d.client);
    await d.dispose();
  });

  it('reports taskledger as the server in ctr version', async () => {
    const result = await run('version');
    expect(result).toMatchObject({ exitCode: 0 });
    expect(result.stdout).toMatch(
      /Server:\s+Version:\s+0\.1\.0\s+Revision:\s+taskledger\s+UUID:\s+[0-9a-f-]{36}/,
    );
  });

  it("runs a container with run --rm: its output, its exit status, and containerd's events", async () => {
    const result = await run(
      'run',
      '--rm',
      ...env,
      '--rootfs',
      rootfs,
      'once',
      'sh',
      '-c',
      'echo hi; exit 4',
    );
    expect(result.stdout).toBe('hi');
    expect(result.exitCode).toBe(4);
    await events.until(() => events.topicsOf('once').length >= containerdTopics.runRm.length);
    expect(events.topicsOf('once')).toEqual(containerdTopics.runRm);
    const exit = events.events.find(
      (e) => e.topic === '/tasks/exit' && e.event.container_id === 'once',
    );
    expect(exit?.event).toMatchObject({ id: 'once', exit_status: 4 });
    await expect(d.client.containers.get('once')).rejects.toMatchObject({ code: 'NotFound' });
  });

  it("runs an interactive shell on a terminal with run -t, sized like ctr's own", async () => {
    // The shell waits for ctr's resize (sent around the start) before it answers.
    const input =
      'until [ "$(stty size 2>/dev/null)" = "33 120" ]; do sleep 0.05; done; tty; echo sized-$((40+2)); exit 5\n';
    const result = await ctrOnTerminal(
      d.grpcAddress,
      ['run', '-t', '--rm', ...env, '--rootfs', rootfs, 'tty', 'sh'],
      { cols: 120, rows: 33, input },
    );
    expect(result.exitCode).toBe(5);
    expect(result.stdout).toContain('/dev/pts/0\r');
    expect(result.stdout).toContain('sized-42\r');
    await expect(d.client.containers.get('tty')).rejects.toMatchObject({ code: 'NotFound' });
  });

  it('runs tasks exec -t on a terminal of its own, in a task without one', async () => {
    // A task of its own, so the detached container's event sequence stays the measured one.
    await d.client.containers.create({
      id: 'tty-host',
      rootfs,
      spec: specFor(['sleep', '600']),
    });
    await d.client.tasks.create('tty-host');
    await d.client.tasks.start('tty-host');
    const result = await ctrOnTerminal(
      d.grpcAddress,
      ['tasks', 'exec', '-t', '--exec-id', 'shell', 'tty-host', 'sh'],
      {
        cols: 90,
        rows: 20,
        input: 'until [ "$(stty size 2>/dev/null)" = "20 90" ]; do sleep 0.05; done; tty; exit 7\n',
      },
    );
    expect(result.exitCode).toBe(7);
    expect(result.stdout).toMatch(/\/dev\/pts\/\d+\r/);
    await d.client.tasks.delete('tty-host', { force: true });
    await d.client.containers.delete('tty-host');
  });

  it('attaches to a detached task with tasks attach: its output, then its exit status', async () => {
    const started = await run(
      'run',
      '-d',
      ...env,
      '--rootfs',
      rootfs,
      'later',
      'sh',
      '-c',
      'echo before-attach; sleep 1; echo after-attach; exit 3',
    );
    expect(started.exitCode).toBe(0);
    const attached = await run('tasks', 'attach', 'later');
    // `ctr run -d` may itself read what the task writes before it exits; the rest waits in the
    // FIFO for the attach, as with containerd's shim. Nothing is lost or printed twice.
    const printed = `${started.stdout}\n${attached.stdout}`.split('\n').filter(Boolean);
    expect(printed).toEqual(['before-attach', 'after-attach']);
    expect(attached.exitCode).toBe(3);
    // ctr deletes the task once it has exited, as it does against containerd.
    expect((await logOf('later')).map((e) => e.topic).slice(-3)).toEqual([
      '/tasks/exit',
      '/taskledger/tasks/delete-intent',
      '/tasks/delete',
    ]);
    expect(await run('containers', 'rm', 'later')).toMatchObject({ exitCode: 0 });
  });

  it('forwards a signal sent to an attached ctr run to the task', async () => {
    const script = 'trap "echo got-term; exit 9" TERM; while true; do sleep 0.1; done';
    const attached = startCtr(d.grpcAddress, [
      'run',
      '--rm',
      ...env,
      '--rootfs',
      rootfs,
      'trapper',
      'sh',
      '-c',
      script,
    ]);
    await events.until(() => events.topicsOf('trapper').includes('/tasks/start'));
    attached.kill('SIGTERM');
    expect(await attached.result).toMatchObject({ stdout: 'got-term', exitCode: 9 });
  });

  it('records what ctr did in the log, with the gRPC method as the source', async () => {
    await events.until(() => events.topicsOf('once').includes('/containers/delete'));
    const logged = await logOf('once');
    expect(logged.map((e) => e.topic).filter((t) => !t.startsWith('/taskledger/'))).toEqual(
      containerdTopics.runRm,
    );
    expect(logged.find((e) => e.topic === '/containers/create')?.source).toBe(
      'grpc /containerd.services.containers.v1.Containers/Create',
    );
    expect(logged.find((e) => e.topic === '/tasks/create')?.event).toMatchObject({
      container_id: 'once',
      io: { stdout: expect.stringMatching(/once-stdout$/) },
    });
  });

  it('keeps each namespace apart, and lists the namespaces that hold containers', async () => {
    const ns = (name: string, ...args: string[]) => run('--namespace', name, ...args);
    expect((await run('namespaces', 'ls')).stdout).not.toMatch(/^team-a\b/m);
    expect(
      await ns('team-a', 'run', '-d', ...env, '--rootfs', rootfs, 'same', 'sleep', '60'),
    ).toMatchObject({ exitCode: 0 });
    expect((await run('namespaces', 'ls')).stdout).toMatch(/^team-a\b/m);
    expect((await ns('team-a', 'tasks', 'ls')).stdout).toMatch(/^same\s+\d+\s+RUNNING$/m);
    expect((await ns('default', 'tasks', 'ls')).stdout).not.toMatch(/^same\b/m);
    expect((await d.client.withNamespace('team-a').containers.list()).map((c) => c.id)).toEqual([
      'same',
    ]);
    expect(await ns('team-a', 'tasks', 'kill', '-s', 'SIGKILL', 'same')).toMatchObject({
      exitCode: 0,
    });
    await d.client.withNamespace('team-a').tasks.wait('same');
    expect(await ns('team-a', 'tasks', 'delete', 'same')).toMatchObject({ exitCode: 0 });
    expect(await ns('team-a', 'containers', 'rm', 'same')).toMatchObject({ exitCode: 0 });
    expect(events.events.filter((e) => e.namespace === 'team-a').map((e) => e.topic)).toContain(
      '/tasks/create',
    );
  });

  it("shows exec processes in tasks ps as containerd's runc shim does, and kills an exec alone or all processes", async () => {
    expect(
      await run('run', '-d', ...env, '--rootfs', rootfs, 'side', 'sleep', '300'),
    ).toMatchObject({ exitCode: 0 });
    const exec = run('tasks', 'exec', '--exec-id', 'nap', 'side', 'sleep', '300');
    await events.until(() => events.topicsOf('side').includes('/tasks/exec-started'));
    expect((await run('tasks', 'ps', 'side')).stdout).toMatch(
      /^\d+\s+&ProcessDetails\{ExecID:nap,/m,
    );
    expect(await run('tasks', 'kill', '--exec-id', 'nap', '-s', 'SIGKILL', 'side')).toMatchObject({
      exitCode: 0,
    });
    expect((await exec).exitCode).toBe(137);
    expect((await d.client.tasks.get('side')).status).toBe('running');
    expect(await run('tasks', 'kill', '--all', '-s', 'SIGKILL', 'side')).toMatchObject({
      exitCode: 0,
    });
    expect((await d.client.tasks.wait('side')).exit_status).toBe(137);
    expect(await run('tasks', 'delete', 'side')).toMatchObject({ exitCode: 0 });
    expect(await run('containers', 'rm', 'side')).toMatchObject({ exitCode: 0 });
  });

  // One container through a whole session, step by step in order, as a user would drive it.
  describe('a detached container', () => {
    it('starts with run -d and keeps running after ctr exits', async () => {
      const result = await run(
        'run',
        '-d',
        ...env,
        '--label',
        'tier=web',
        '--rootfs',
        rootfs,
        'web',
        'sleep',
        '300',
      );
      expect(result).toMatchObject({ exitCode: 0 });
      expect((await d.client.tasks.get('web')).status).toBe('running');
    });

    it('shows in ctr containers ls and info, and in taskledger containers ls', async () => {
      expect((await run('containers', 'ls')).stdout).toMatch(
        /^web\s+-\s+io\.containerd\.runc\.v2\s*$/m,
      );
      const info = JSON.parse((await run('containers', 'info', 'web')).stdout) as {
        ID: string;
        Labels: Record<string, string>;
        Spec: { root: { path: string }; process: { args: string[] } };
      };
      expect(info).toMatchObject({
        ID: 'web',
        Labels: { tier: 'web' },
        Spec: { root: { path: rootfs }, process: { args: ['sleep', '300'] } },
      });
      const listed = await d.client.containers.list();
      expect(listed.find((c) => c.id === 'web')).toMatchObject({
        rootfs,
        labels: { tier: 'web' },
        spec: { process: { args: ['sleep', '300'] } },
      });
    });

    it('changes only the named labels with ctr containers label', async () => {
      expect(await run('containers', 'label', 'web', 'team=infra')).toMatchObject({ exitCode: 0 });
      expect((await d.client.containers.get('web')).labels).toEqual({ tier: 'web', team: 'infra' });
    });

    it('lists the task and its processes with tasks ls and ps', async () => {
      const { pid } = await d.client.tasks.get('web');
      expect((await run('tasks', 'ls')).stdout).toMatch(
        new RegExp(`^web\\s+${pid}\\s+RUNNING$`, 'm'),
      );
      expect((await run('tasks', 'ps', 'web')).stdout).toMatch(new RegExp(`^${pid}\\s+-$`, 'm'));
    });

    it('runs tasks exec to completion with its output and exit status', async () => {
      const result = await run(
        'tasks',
        'exec',
        '--exec-id',
        'probe',
        'web',
        'sh',
        '-c',
        'echo from-exec; exit 3',
      );
      expect(result.stdout).toBe('from-exec');
      expect(result.exitCode).toBe(3);
      expect((await d.client.tasks.get('web')).execs).toEqual([]); // ctr deleted the exec after it exited
    });

    it('pauses and resumes the task', async () => {
      expect(await run('tasks', 'pause', 'web')).toMatchObject({ exitCode: 0 });
      expect((await run('tasks', 'ls')).stdout).toMatch(/^web\s+\d+\s+PAUSED$/m);
      expect(await run('tasks', 'resume', 'web')).toMatchObject({ exitCode: 0 });
      expect((await run('tasks', 'ls')).stdout).toMatch(/^web\s+\d+\s+RUNNING$/m);
    });

    it('kills the task and deletes it, reporting the status of the killed process', async () => {
      expect(await run('tasks', 'kill', '-s', 'SIGKILL', 'web')).toMatchObject({ exitCode: 0 });
      expect((await d.client.tasks.wait('web')).exit_status).toBe(137);
      expect((await run('tasks', 'ls')).stdout).toMatch(/^web\s+\d+\s+STOPPED$/m);
      const deleted = await run('tasks', 'delete', 'web');
      expect(deleted.exitCode).toBe(0);
      expect(deleted.stderr).toContain('task web exit with non-zero exit code 137');
      await expect(d.client.tasks.get('web')).rejects.toMatchObject({ code: 'NotFound' });
    });

    it('removes the container with ctr containers rm', async () => {
      expect(await run('containers', 'rm', 'web')).toMatchObject({ exitCode: 0 });
      expect((await d.client.containers.list()).map((c) => c.id)).not.toContain('web');
    });

    it('printed the same topic sequence on ctr events as containerd does, on a stream still open', async () => {
      await events.until(() => events.topicsOf('web').includes('/containers/delete'));
      expect(events.topicsOf('web')).toEqual(containerdTopics.detachedLifecycle);
      expect(
        events.events.find((e) => e.topic === '/tasks/exit' && e.event.id === 'probe')?.event,
      ).toMatchObject({ container_id: 'web', exit_status: 3 });
      expect(
        events.events.find((e) => e.topic === '/containers/update' && e.event.id === 'web')?.event,
      ).toMatchObject({ labels: { tier: 'web', team: 'infra' } });
      expect(events.running()).toBe(true);
    });
  });
});
