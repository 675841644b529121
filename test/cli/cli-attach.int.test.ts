import { lastValueFrom } from 'rxjs';
import { describe, expect, it } from 'vitest';
import { withCliDaemon } from '../helpers/cli-daemon.ts';
import { cli } from '../helpers/run-cli.ts';
import type { TestDaemon } from '../helpers/test-daemon.ts';

/** Resolves once `child`'s stdout has carried `text`. */
function printed(child: ReturnType<typeof cli>, text: string): Promise<void> {
  let seen = '';
  return new Promise((resolve) => {
    child.stdout.on('data', (chunk: Buffer) => {
      seen += chunk.toString();
      if (seen.includes(text)) resolve();
    });
  });
}

describe('the CLI giving a process our stdin (-i), and attaching to a running task', () => {
  let d: TestDaemon;
  let rootfs: string;
  const tl = (...args: string[]) => cli(d.address, args);
  withCliDaemon((fixture) => ({ daemon: d, rootfs } = fixture));

  it('run -i pipes our stdin to the process, and its end is the end of the process input', async () => {
    // `echo done` runs only once cat has seen EOF: the end of our input reached the process.
    const script = 'cat; echo done';
    const args = ['run', '-i', '--rm', '--rootfs', rootfs, 'piped', '--', 'sh', '-c', script];
    const run = await cli(d.address, args, { input: 'first line\nsecond line\n' });
    expect(run.stdout).toBe('first line\nsecond line\ndone');
    expect(run.exitCode).toBe(0);
    // Without -i the process reads nothing (stdin is /dev/null), as with podman run.
    const without = await cli(
      d.address,
      args.filter((a) => a !== '-i'),
      { input: 'ignored\n' },
    );
    expect(without.stdout).toBe('done');
    expect((await tl('containers', 'info', 'piped')).exitCode).toBe(3);
  });

  it('tasks exec -i feeds an exec, and -i or -t with -d is refused with nothing created', async () => {
    await tl('run', '-d', '--rootfs', rootfs, 'exec-host', '--', 'sleep', '600');
    const exec = await cli(
      d.address,
      ['tasks', 'exec', '-i', '--exec-id', 'count', 'exec-host', '--', 'wc', '-l'],
      { input: 'a\nb\nc\n' },
    );
    expect(exec.stdout.trim()).toBe('3');
    expect(exec.exitCode).toBe(0);
    const detached = await tl('run', '-d', '-i', '--rootfs', rootfs, 'nobody', '--', 'cat');
    expect(detached.stderr).toBe('taskledger: -i and -d cannot be combined: nobody would type');
    expect(detached.exitCode).toBe(2);
    expect((await tl('containers', 'info', 'nobody')).exitCode).toBe(3);
    const execDetached = await tl(
      'tasks',
      'exec',
      '-dt',
      '--exec-id',
      'e',
      'exec-host',
      '--',
      'sh',
    );
    expect(execDetached.stderr).toBe('taskledger: -t and -d cannot be combined: nobody would type');
    expect((await d.client.tasks.get('exec-host')).execs).toEqual([]); // `count` was removed
    await d.client.tasks.delete('exec-host', { force: true });
    await d.client.containers.delete('exec-host');
  });

  it('tasks attach follows what the task writes from now on, passes SIGTERM, exits with its status', async () => {
    const script =
      'trap "echo after; exit 7" TERM; echo before; while :; do echo tick; sleep 0.1; done';
    await tl('run', '-d', '--rootfs', rootfs, 'attached', '--', 'sh', '-c', script);
    // `before` is in the log before the attach starts: the attach must not show it.
    const logs = cli(d.address, ['tasks', 'logs', '-f', 'attached']);
    await printed(logs, 'before');
    logs.kill();
    const attach = cli(d.address, ['tasks', 'attach', 'attached']);
    await printed(attach, 'tick'); // the stream is live, and SIGTERM is handled
    attach.kill('SIGTERM');
    const result = await attach;
    expect(result.exitCode).toBe(7);
    const lines = result.stdout.split('\n');
    expect(lines).not.toContain('before');
    expect(lines.at(-1)).toBe('after');
    expect(new Set(lines.slice(0, -1))).toEqual(new Set(['tick']));
    // Attaching to a task that has exited gives its status at once.
    expect((await tl('tasks', 'attach', 'attached')).exitCode).toBe(7);
    expect((await tl('tasks', 'attach', 'no-such-task')).exitCode).toBe(3);
    await d.client.tasks.delete('attached');
    await d.client.containers.delete('attached');
  });

  it('tasks logs --tail prints only the last lines, and refuses what is not a number', async () => {
    const script = 'for i in 1 2 3 4 5; do echo line-$i; done';
    await tl('run', '--rootfs', rootfs, 'tailed', '--', 'sh', '-c', script);
    const tail = await tl('tasks', 'logs', '--timestamps=false', '--tail', '2', 'tailed');
    expect(tail.stdout).toBe('line-4\nline-5');
    expect((await tl('tasks', 'logs', '--timestamps=false', '-n', '0', 'tailed')).stdout).toBe('');
    const bad = await tl('tasks', 'logs', '--tail', 'many', 'tailed');
    expect(bad.stderr).toBe('taskledger: --tail takes a whole number of lines, not "many"');
    expect(bad.exitCode).toBe(2);
    await expect(lastValueFrom(d.client.tasks.logs('tailed', { tail: -1 }))).rejects.toThrow(
      'tail must be a whole number of lines (0 or more), not "-1"',
    );
    await d.client.tasks.delete('tailed');
    await d.client.containers.delete('tailed');
  });
});
