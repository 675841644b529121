import { readFileSync } from 'node:fs';
import path from 'node:path';
import { execa } from 'execa';
import { describe, expect, it } from 'vitest';
import { isTaskledgerError } from '../../src/domain/errors.ts';
import {
  eventually,
  initExit,
  withRuntimeFixture,
  type RuntimeFixture,
} from './runtime-fixture.ts';

let fx: RuntimeFixture;
withRuntimeFixture('tty', (created) => (fx = created));

/** A shell script that names its terminal, waits until it is `rows cols`, says so and exits. */
const waitForSize = (rows: number, cols: number, status: number): string[] => [
  'sh',
  '-c',
  `tty; until [ "$(stty size 2>/dev/null)" = "${rows} ${cols}" ]; do sleep 0.05; done; echo "size $(stty size)"; exit ${status}`,
];

describe('runc runtime terminals (real runc + conmon)', () => {
  it('gives the init process a pseudo-terminal that a resize reaches', async () => {
    const stdout = path.join(fx.ioDir, 'init-tty.out');
    const task = await fx.create('init-tty', waitForSize(40, 100, 3), {
      io: { stdout, terminal: true },
    });
    await task.start();
    await task.resize({ width: 100, height: 40 });
    expect(await fx.nextEvent(initExit('init-tty'))).toMatchObject({ status: 3 });
    // The terminal turns each newline into CR LF, as a terminal does.
    await eventually(() =>
      expect(readFileSync(stdout, 'utf8')).toBe('/dev/pts/0\r\nsize 40 100\r\n'),
    );
    const late: unknown = await task.resize({ width: 80, height: 24 }).catch((e: unknown) => e);
    expect(isTaskledgerError(late, 'FailedPrecondition')).toBe(true);
    await fx.runtime.delete(task);
  });

  it('feeds stdin to the terminal, which echoes it like a keyboard', async () => {
    const stdin = await fx.fifo('tty-in');
    const stdout = path.join(fx.ioDir, 'typed.out');
    const task = await fx.create('typed', ['sh'], { io: { stdin, stdout, terminal: true } });
    await task.start();
    await execa('sh', ['-c', 'printf "echo typed-\\$((6*7))\\nexit 4\\n" > "$1"', 'w', stdin], {
      timeout: 20_000,
    });
    expect(await fx.nextEvent(initExit('typed'))).toMatchObject({ status: 4 });
    await eventually(() => {
      const text = readFileSync(stdout, 'utf8');
      expect(text).toContain('echo typed-$((6*7))\r\n'); // the echo of what was typed
      expect(text).toContain('typed-42\r\n'); // what the shell printed
    });
    await fx.runtime.delete(task);
  });

  it('gives an exec its own pseudo-terminal, resized on its own', async () => {
    const task = await fx.create('tty-host', ['sleep', '600']);
    await task.start();
    const stdout = path.join(fx.ioDir, 'exec-tty.out');
    const exec = await task.exec(
      'shell',
      { args: waitForSize(50, 120, 6) },
      {
        stdout,
        terminal: true,
      },
    );
    await exec.start();
    await exec.resize({ width: 120, height: 50 });
    await fx
      .nextEvent((e) => e.type === 'exit' && e.containerId === 'tty-host' && e.execId === 'shell')
      .then((e) => expect(e).toMatchObject({ status: 6 }));
    await eventually(() =>
      expect(readFileSync(stdout, 'utf8')).toMatch(/^\/dev\/pts\/\d+\r\nsize 50 120\r\n$/),
    );
    await exec.delete();
    await task.kill(9);
    await fx.nextEvent(initExit('tty-host'));
    await fx.runtime.delete(task);
  });

  it('refuses a window size out of range before writing anything', async () => {
    const task = await fx.create('bad-size', ['sleep', '600'], { io: { terminal: true } });
    for (const size of [
      { width: -1, height: 24 },
      { width: 80, height: 70_000 },
      { width: 80.5, height: 24 },
    ]) {
      const error: unknown = await task.resize(size).catch((e: unknown) => e);
      expect(isTaskledgerError(error, 'InvalidArgument')).toBe(true);
    }
    await task.kill(9);
    await fx.nextEvent(initExit('bad-size'));
    await fx.runtime.delete(task);
  });
});
