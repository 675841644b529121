import { execa } from 'execa';
import { firstValueFrom } from 'rxjs';
import { describe, expect, it } from 'vitest';
import { withCliDaemon } from '../helpers/cli-daemon.ts';
import { cli, cliBin, cliOnTerminal } from '../helpers/run-cli.ts';
import { eventually } from '../runtime/runtime-fixture.ts';
import type { TestDaemon } from '../helpers/test-daemon.ts';

describe('the taskledger CLI against a real daemon', () => {
  let d: TestDaemon;
  let rootfs: string;
  const tl = (...args: string[]) => cli(d.address, args);
  withCliDaemon((fixture) => ({ daemon: d, rootfs } = fixture));

  it('creates, lists, inspects, labels and removes containers', async () => {
    expect(
      (
        await tl(
          'containers',
          'create',
          '--rootfs',
          rootfs,
          '--label',
          'env=prod',
          '--env',
          'A=1',
          '--cwd',
          '/tmp',
          'c1',
          '--',
          'sh',
          '-c',
          'echo $A',
        )
      ).stdout,
    ).toBe('c1');
    await tl('containers', 'create', '--rootfs', rootfs, 'c2', '--', 'true');
    const ls = await tl('containers', 'ls');
    expect(ls.stdout.split('\n')[0]).toMatch(/^CONTAINER\s+IMAGE\s+RUNTIME\s+LABELS$/);
    expect(ls.stdout).toMatch(/c1\s+-\s+io\.containerd\.runc\.v2\s+env=prod/);
    expect((await tl('containers', 'ls', '--filter', 'labels.env==prod', '-q')).stdout).toBe('c1');
    const info = JSON.parse((await tl('containers', 'info', 'c1')).stdout) as {
      spec: { process: { args: string[]; env: string[]; cwd: string } };
    };
    expect(info.spec.process).toMatchObject({ args: ['sh', '-c', 'echo $A'], cwd: '/tmp' });
    expect(info.spec.process.env).toContain('A=1');
    expect((await tl('containers', 'label', 'c1', 'team=infra', 'env=')).stdout).toBe('team=infra');
    expect((await tl('containers', 'rm', 'c1', 'c2')).exitCode).toBe(0);
    expect((await tl('--json', 'containers', 'ls')).stdout).toBe('[]');
  });

  it('run undoes a failed create with --rm, keeps it without, and never touches a taken id', async () => {
    const failed = await tl('run', '--rm', '--rootfs', rootfs, 'nocmd', '--', 'no-such-command');
    expect(failed.stderr).toContain('executable file not found');
    expect(failed.exitCode).toBe(5);
    expect((await tl('containers', 'info', 'nocmd')).exitCode).toBe(3); // gone: the id is free
    await tl('run', '--rootfs', rootfs, 'kept', '--', 'no-such-command');
    expect((await tl('containers', 'info', 'kept')).exitCode).toBe(0);
    await tl('containers', 'rm', 'kept');
    await tl('run', '-d', '--rootfs', rootfs, 'mine', '--', 'sleep', '30');
    const taken = await tl('run', '--rm', '--rootfs', rootfs, 'mine', '--', 'true');
    expect(taken.exitCode).toBe(4); // AlreadyExists
    expect((await tl('--json', 'tasks', 'ls')).stdout).toContain('"id": "mine"');
    await tl('tasks', 'rm', '--force', 'mine');
    await tl('containers', 'rm', 'mine');
  });

  it('prints one clear line and a stable exit code per error kind', async () => {
    const missing = await tl('containers', 'info', 'nope');
    expect(missing.stderr).toBe('taskledger: container "nope" not found in namespace "default"');
    expect(missing.exitCode).toBe(3);
    const bad = await tl('containers', 'create', '--rootfs', rootfs, 'bad/id', '--', 'true');
    expect(bad.stderr).toMatch(/^taskledger: container id "bad\/id" is invalid/);
    expect(bad.exitCode).toBe(2);
    await tl('containers', 'create', '--rootfs', rootfs, 'dup', '--', 'true');
    expect(
      (await tl('containers', 'create', '--rootfs', rootfs, 'dup', '--', 'true')).exitCode,
    ).toBe(4);
    expect((await tl('containers', 'ls', '--bogus')).stderr).toBe(
      'taskledger: unknown flag --bogus',
    );
    const down = await cli('/nonexistent/taskledger.sock', ['containers', 'ls']);
    expect(down.stderr).toMatch(
      /cannot reach the taskledger daemon at \/nonexistent\/taskledger.sock: is the daemon running/,
    );
    expect(down.exitCode).toBe(7);
  });

  it('runs in the foreground with the output and the exit status, and --rm cleans up', async () => {
    const run = await tl(
      'run',
      '--rm',
      '--rootfs',
      rootfs,
      'fg',
      '--',
      'sh',
      '-c',
      'echo to-out; echo to-err >&2; exit 4',
    );
    expect(run.stdout).toBe('to-out');
    expect(run.stderr).toBe('to-err');
    expect(run.exitCode).toBe(4);
    expect((await tl('containers', 'info', 'fg')).exitCode).toBe(3);
  });

  it('runs detached with --rm, and the daemon removes task and container when it exits', async () => {
    const run = await tl('run', '-d', '--rm', '--rootfs', rootfs, 'bg-rm', '--', 'sleep', '300');
    expect(run.stdout).toBe('bg-rm');
    expect((await tl('tasks', 'ls')).stdout).toMatch(/bg-rm\s+\d+\s+RUNNING/);
    const removed = d.client.tasks.wait('bg-rm', { until: 'removed' });
    expect((await tl('tasks', 'kill', '-s', 'SIGKILL', 'bg-rm')).exitCode).toBe(0);
    expect((await removed).exit_status).toBe(137);
    expect((await tl('containers', 'info', 'bg-rm')).exitCode).toBe(3);
  });

  it('leaves no container behind when run --rm loses its reader', async () => {
    // head takes the first line and exits; writing the second ends the CLI (141), not the task,
    // which goes on for two seconds: only the daemon is left to remove it.
    const piped = await execa(
      'bash',
      [
        '-c',
        'set -o pipefail; "$0" run --rm --rootfs "$1" piped -- sh -c "$2" | head -n 1',
        cliBin,
        rootfs,
        'echo first; sleep 0.3; echo second; sleep 2',
      ],
      { env: { TASKLEDGER_ADDRESS: d.address }, reject: false, timeout: 30_000 },
    );
    expect(piped.stdout).toBe('first');
    expect(piped.stderr).toBe('');
    expect(piped.exitCode).toBe(141);
    expect((await d.client.tasks.get('piped')).status).toBe('running');
    const removal = await firstValueFrom(
      d.client.events({
        since: '0',
        follow: true,
        filters: ['topic=="/containers/delete",event.id==piped'],
      }),
    );
    expect(removal.source).toBe('daemon auto-remove');
  });

  it('runs a shell on our terminal with run -t: typed input, our size, Ctrl-C as a keystroke', async () => {
    // The shell waits for our size before it answers; Ctrl-C (\x03) interrupts the sleep inside
    // the container, not the CLI, and the shell goes on.
    const input = [
      {
        type: 'until [ "$(stty size 2>/dev/null)" = "27 91" ]; do sleep 0.05; done; tty; echo sum-$((5*5))\n',
      },
      { after: 'sum-25\r', type: 'echo sleep-$((2*4)); sleep 20; echo slept-$((2*5))\n' },
      // Once the shell runs the line (its output, not the echo of what was typed, has come).
      { after: 'sleep-8\r', type: '\x03' },
      { after: '^C', type: 'echo after-interrupt; exit 6\n' },
    ];
    const run = await cliOnTerminal(
      d.address,
      ['run', '-t', '--rm', '--rootfs', rootfs, 'tty', '--', 'sh'],
      { cols: 91, rows: 27, input },
    );
    expect(run.exitCode).toBe(6);
    expect(run.stdout).toContain('/dev/pts/0\r');
    expect(run.stdout).toContain('sum-25\r');
    expect(run.stdout).toContain('after-interrupt\r');
    expect(run.stdout).not.toContain('slept-10'); // the sleep was interrupted, and the line with it
    expect((await tl('containers', 'info', 'tty')).exitCode).toBe(3);
  });

  it('runs tasks exec -t on a terminal of its own, and refuses -t without a terminal', async () => {
    await tl('run', '-d', '--rootfs', rootfs, 'tty-host', '--', 'sleep', '600');
    const exec = await cliOnTerminal(
      d.address,
      ['tasks', 'exec', '-t', '--exec-id', 'sh1', 'tty-host', '--', 'sh'],
      {
        cols: 60,
        rows: 15,
        input: 'until [ "$(stty size 2>/dev/null)" = "15 60" ]; do sleep 0.05; done; tty; exit 8\n',
      },
    );
    expect(exec.exitCode).toBe(8);
    expect(exec.stdout).toMatch(/\/dev\/pts\/\d+\r/);
    const piped = await tl('run', '-t', '--rm', '--rootfs', rootfs, 'no-tty', '--', 'sh');
    expect(piped.stderr).toBe('taskledger: -t needs a terminal: stdin and stdout must both be one');
    expect(piped.exitCode).toBe(2);
    expect((await tl('containers', 'info', 'no-tty')).exitCode).toBe(3); // nothing was created
    await d.client.tasks.delete('tty-host', { force: true });
    await d.client.containers.delete('tty-host');
  });

  it('forwards SIGINT to the task and exits with its status', async () => {
    const child = cli(d.address, [
      'run',
      '--rm',
      '--rootfs',
      rootfs,
      'interrupted',
      '--',
      'sh',
      '-c',
      'trap "echo got-int; exit 130" INT; echo ready; while true; do sleep 0.1; done',
    ]);
    await new Promise<void>((resolve) => {
      child.stdout.on('data', (chunk: Buffer) => {
        if (chunk.toString().includes('ready')) resolve();
      });
    });
    child.kill('SIGINT');
    const result = await child;
    expect(result.stdout).toContain('got-int');
    expect(result.exitCode).toBe(130);
  });

  it('drives every task verb on a detached task', async () => {
    expect(
      (
        await tl(
          'run',
          '-d',
          '--rootfs',
          rootfs,
          'bg',
          '--',
          'sh',
          '-c',
          'echo started; exec sleep 300',
        )
      ).stdout,
    ).toBe('bg');
    expect((await tl('tasks', 'ls')).stdout).toMatch(/bg\s+\d+\s+RUNNING/);
    expect((await tl('tasks', 'ps', 'bg')).stdout).toMatch(/^PID\n\d+/);
    const exec = await tl(
      'tasks',
      'exec',
      '--exec-id',
      'x1',
      'bg',
      '--',
      'sh',
      '-c',
      'echo in-exec; exit 6',
    );
    expect(exec.stdout).toBe('in-exec');
    expect(exec.exitCode).toBe(6);
    const noBinary = await tl('tasks', 'exec', '--exec-id', 'x2', 'bg', '--', '/no/such/binary');
    expect(noBinary.stderr).toMatch(/^taskledger: .*\/no\/such\/binary/);
    expect(noBinary.exitCode).toBe(5);
    expect((await tl('tasks', 'pause', 'bg')).exitCode).toBe(0);
    expect((await tl('tasks', 'ls')).stdout).toMatch(/bg\s+\d+\s+PAUSED/);
    const again = await tl('tasks', 'pause', 'bg');
    expect(again.stderr).toBe('taskledger: cannot pause task "bg": it is paused');
    expect(again.exitCode).toBe(5);
    expect((await tl('tasks', 'resume', 'bg')).exitCode).toBe(0);
    expect((await tl('tasks', 'update', '-m', '48m', '--pids-limit', '24', 'bg')).exitCode).toBe(0);
    const badSize = await tl('tasks', 'update', '--memory', 'lots', 'bg');
    expect(badSize).toMatchObject({
      exitCode: 2,
      stderr: expect.stringContaining('--memory must be a size'),
    });
    const metrics = JSON.parse((await tl('tasks', 'metrics', 'bg')).stdout) as {
      memory: { limitBytes: number };
      pids: { current: number; limit: number };
    };
    expect(metrics.pids.current).toBeGreaterThanOrEqual(1);
    expect(metrics.pids.limit).toBe(24);
    expect(metrics.memory.limitBytes).toBe(48 * 1024 * 1024);
    expect((await tl('tasks', 'rm', 'bg')).exitCode).toBe(5);
    expect((await tl('tasks', 'kill', '-s', 'SIGKILL', 'bg')).exitCode).toBe(0);
    expect(await tl('tasks', 'wait', 'bg')).toMatchObject({ stdout: '137', exitCode: 137 });
    expect((await tl('tasks', 'logs', 'bg')).stdout).toMatch(
      /^\d{4}-\d\d-\d\dT\S+ stdout started$/m,
    );
    expect((await tl('tasks', 'rm', 'bg')).stdout).toBe('137');
    expect((await tl('containers', 'rm', 'bg')).exitCode).toBe(0);
  });

  it('starts a created task attached, follows logs, and force-removes a running task', async () => {
    await tl(
      'containers',
      'create',
      '--rootfs',
      rootfs,
      'att',
      '--',
      'sh',
      '-c',
      'echo one; sleep 0.3; echo two; exit 2',
    );
    const start = await tl('tasks', 'start', 'att');
    expect(start.stdout).toBe('one\ntwo');
    expect(start.exitCode).toBe(2);
    await tl('tasks', 'rm', 'att');
    await tl('tasks', 'start', '-d', 'att');
    const follow = await tl('tasks', 'logs', '-f', 'att');
    expect(follow.stdout).toMatch(/stdout one\n.*stdout two$/);
    await tl('tasks', 'rm', 'att');
    await tl('tasks', 'start', '-d', 'att');
    await tl('containers', 'create', '--rootfs', rootfs, 'forever', '--', 'sleep', '300');
    await tl('tasks', 'start', '-d', 'forever');
    expect((await tl('tasks', 'rm', '--force', 'forever')).stdout).toBe('137');
  });

  it('prints the event log, filtered, as lines or JSON', async () => {
    await tl('containers', 'create', '--rootfs', rootfs, 'ev', '--', 'true');
    await tl('containers', 'label', 'ev', 'a=b');
    const plain = await tl('events', '--filter', 'event.id==ev');
    expect(plain.stdout.split('\n').map((l) => l.split(' ')[3])).toEqual([
      '/containers/create',
      '/containers/update',
    ]);
    const json = (
      await tl(
        'events',
        '--json',
        '--filter',
        'topic=="/containers/update"',
        '--filter',
        'event.id==nothing',
      )
    ).stdout
      .split('\n')
      .map((l) => JSON.parse(l) as Record<string, unknown>);
    expect(Object.keys(json.at(-1)!)).toEqual(['seq', 'timestamp', 'namespace', 'topic', 'event']);
    expect(json.at(-1)).toMatchObject({
      topic: '/containers/update',
      event: { id: 'ev', labels: { a: 'b' } },
    });
    const first = json.at(-1)!.seq as number;
    expect(
      (await tl('events', '--since', String(first), '--until', String(first))).stdout.split('\n'),
    ).toHaveLength(1);
  });

  it('ends quietly with 141 when its reader stops early, as a tool killed by SIGPIPE does', async () => {
    // head takes the first line and exits; the next event then has no reader.
    const follow = execa(
      'bash',
      ['-c', 'set -o pipefail; "$0" events --follow | head -n 1', cliBin],
      {
        env: { TASKLEDGER_ADDRESS: d.address },
        reject: false,
        timeout: 30_000,
      },
    );
    await new Promise((resolve) => setTimeout(resolve, 300));
    await tl('containers', 'create', '--rootfs', rootfs, 'pipe-1', '--', 'true');
    await tl('containers', 'create', '--rootfs', rootfs, 'pipe-2', '--', 'true');
    const result = await follow;
    expect(result.stdout.split('\n')).toHaveLength(1);
    expect(result.stderr).toBe('');
    expect(result.exitCode).toBe(141);
  });

  it("shows the daemon's standby monitors in version, and refuses a bad count for them", async () => {
    await eventually(async () =>
      expect((await tl('version')).stdout).toContain('Standby monitors: 1 of 1 ready'),
    );
    const json = JSON.parse((await tl('--json', 'version')).stdout) as {
      server: { standby_monitors: unknown };
    };
    expect(json.server.standby_monitors).toEqual({ target: 1, ready: 1 });
    const bad = await tl('daemon', '--standby-monitors', 'many');
    expect(bad.stderr).toBe(
      'taskledger: --standby-monitors must be a number from 0 to 99, got "many"',
    );
    expect(bad.exitCode).toBe(2);
  });
});
