import { closeSync, constants, existsSync, openSync, statSync } from 'node:fs';
import { lastValueFrom } from 'rxjs';
import { describe, expect, it } from 'vitest';
import { withCliDaemon } from '../helpers/cli-daemon.ts';
import { cli, cliOnTerminal } from '../helpers/run-cli.ts';
import type { TestDaemon } from '../helpers/test-daemon.ts';

const seen = new WeakMap<ReturnType<typeof cli>, { text: string }>();

/** Resolves once `child`'s stdout has carried `text`, counting what it printed before the call. */
function printed(child: ReturnType<typeof cli>, text: string): Promise<void> {
  let output = seen.get(child);
  if (!output) {
    const recorded = { text: '' };
    child.stdout.on('data', (chunk: Buffer) => (recorded.text += chunk.toString()));
    seen.set(child, (output = recorded));
  }
  const { text: already } = output;
  if (already.includes(text)) return Promise.resolve();
  return new Promise((resolve) => {
    child.stdout.on('data', () => {
      if (output.text.includes(text)) resolve();
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

  it('tasks exec -i feeds an exec, to the end of our input', async () => {
    await tl('run', '-d', '--rootfs', rootfs, 'exec-host', '--', 'sleep', '600');
    const exec = await cli(
      d.address,
      ['tasks', 'exec', '-i', '--exec-id', 'count', 'exec-host', '--', 'wc', '-l'],
      { input: 'a\nb\nc\n' },
    );
    expect(exec.stdout.trim()).toBe('3');
    expect(exec.exitCode).toBe(0);
    expect((await d.client.tasks.get('exec-host')).execs).toEqual([]); // `count` was removed
    await d.client.tasks.delete('exec-host', { force: true });
    await d.client.containers.delete('exec-host');
  });

  it('run -d -i keeps stdin open: each tasks attach types into it, and none ends it', async () => {
    const script = 'while read l; do echo "got $l"; done; echo eof';
    await tl('run', '-d', '-i', '--rootfs', rootfs, 'held', '--', 'sh', '-c', script);
    // Each attach's input ends at once; the process's does not, so both attaches stay.
    const first = cli(d.address, ['tasks', 'attach', 'held'], { input: 'one\n' });
    await printed(first, 'got one');
    const second = cli(d.address, ['tasks', 'attach', 'held'], { input: 'two\n' });
    await printed(second, 'got two');
    await printed(first, 'got two');
    await d.client.tasks.kill('held', { signal: 'SIGKILL' });
    const [one, two] = await Promise.all([first, second]);
    expect(one.stdout).toBe('got one\ngot two');
    expect(two.stdout).toBe('got two');
    expect([one.exitCode, two.exitCode]).toEqual([137, 137]);
    await d.client.tasks.delete('held');
    await d.client.containers.delete('held');
  });

  it('tasks attach to an exited task whose stdin relay is gone gives its status at once', async () => {
    await tl('run', '-d', '-i', '--rootfs', rootfs, 'gone', '--', 'sh', '-c', 'exit 3');
    expect((await d.client.tasks.wait('gone')).exit_status).toBe(3);
    // The relay leaves a few seconds after the process: then nobody reads the FIFO, and an
    // attach's open of it for writing would wait forever.
    const fifo = (await d.client.tasks.get('gone')).stdin as string;
    const hasReader = (): boolean => {
      try {
        closeSync(openSync(fifo, constants.O_WRONLY | constants.O_NONBLOCK));
        return true;
      } catch {
        return false; // ENXIO: no reader
      }
    };
    while (hasReader()) await new Promise((resolve) => setTimeout(resolve, 100));
    const attach = await cli(d.address, ['tasks', 'attach', 'gone'], { input: 'late\n' });
    expect(attach.exitCode).toBe(3);
    await d.client.tasks.delete('gone');
    await d.client.containers.delete('gone');
  });

  it('tasks attach to an exec not started yet makes no file where its FIFO will be', async () => {
    await tl('run', '-d', '--rootfs', rootfs, 'later-host', '--', 'sleep', '600');
    const reader = { args: ['sh', '-c', 'read l; echo "got $l"'] };
    await d.client.tasks.exec('later-host', 'later', reader, { open_stdin: true });
    const attach = cli(d.address, ['tasks', 'attach', '--exec-id', 'later', 'later-host'], {
      input: 'lost\n', // nobody reads it yet: the exec's FIFO is made when it starts
    });
    await new Promise((resolve) => setTimeout(resolve, 1000));
    const fifo = (await d.client.tasks.get('later-host')).execs as { stdin: string }[];
    expect(existsSync(fifo[0]!.stdin)).toBe(false);
    // So the start can make the FIFO, and its relay passes on what a writer sends.
    await d.client.tasks.startExec('later-host', 'later');
    expect(statSync(fifo[0]!.stdin).isFIFO()).toBe(true);
    await cli(d.address, ['tasks', 'attach', '--exec-id', 'later', 'later-host'], {
      input: 'found\n',
    });
    expect((await attach).stdout).toBe('got found');
    await d.client.tasks.delete('later-host', { force: true });
    await d.client.containers.delete('later-host');
  });

  it('tasks exec -dt, then attach on a terminal: it types in, and ctrl-p ctrl-q detaches', async () => {
    await tl('run', '-d', '--rootfs', rootfs, 'tty-host', '--', 'sleep', '600');
    const exec = ['tasks', 'exec', '-dt', '--exec-id', 'sh1', 'tty-host', '--', 'sh'];
    expect((await tl(...exec)).exitCode).toBe(0);
    const attach = ['tasks', 'attach', '--exec-id', 'sh1', 'tty-host'];
    const detached = await cliOnTerminal(d.address, attach, {
      cols: 70,
      rows: 20,
      input: [{ type: 'echo sum-$((20+5))\r' }, { after: 'sum-25', type: '\x10\x11' }],
    });
    expect(detached.exitCode).toBe(0);
    expect(detached.stdout).toContain('sum-25\r');
    const sh1 = ((await d.client.tasks.get('tty-host')).execs as { status: string }[])[0];
    expect(sh1?.status).toBe('running');
    // Attached again, the terminal has our size, and `exit` ends the shell with its status.
    const again = await cliOnTerminal(d.address, attach, {
      cols: 70,
      rows: 20,
      input: 'until [ "$(stty size)" = "20 70" ]; do sleep 0.05; done; exit 4\r',
    });
    expect(again.exitCode).toBe(4);
    await d.client.tasks.delete('tty-host', { force: true });
    await d.client.containers.delete('tty-host');
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

  it('tasks logs --since and --until keep the records stamped in the window', async () => {
    // Two writes a moment apart: conmon stamps each read of the process's output once.
    await tl('run', '--rootfs', rootfs, 'dated', '--', 'sh', '-c', 'echo old; sleep 0.2; echo new');
    const stamped = (await tl('tasks', 'logs', 'dated')).stdout.split('\n');
    expect(stamped.map((l) => l.split(' ').slice(1).join(' '))).toEqual([
      'stdout old',
      'stdout new',
    ]);
    const newAt = stamped[1]!.split(' ')[0]!;
    const logs = (...window: string[]) =>
      tl('tasks', 'logs', '--timestamps=false', ...window, 'dated').then((r) => r.stdout);
    expect(await logs('--since', newAt)).toBe('new');
    expect(await logs('--until', newAt)).toBe('old');
    expect(await logs('--since', '1h')).toBe('old\nnew'); // a duration before now, as in Podman
    expect(await logs('--until', '1h')).toBe('');
    const bad = await tl('tasks', 'logs', '--since', 'yesterday', 'dated');
    expect(bad.stderr).toBe(
      'taskledger: since must be an RFC 3339 time or a duration such as 10m or 1h30m, not "yesterday"',
    );
    expect(bad.exitCode).toBe(2);
    await d.client.tasks.delete('dated');
    await d.client.containers.delete('dated');
  });
});
