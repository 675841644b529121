import {
  existsSync,
  readdirSync,
  readFileSync,
  readlinkSync,
  statSync,
  writeFileSync,
} from 'node:fs';
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
withRuntimeFixture('stdin', (created) => (fx = created));

/** A writer in another process (like `ctr`): opens the FIFO, writes `text`, closes it (EOF). */
const writeFifo = (file: string, text: string) =>
  execa('sh', ['-c', 'printf %s "$1" > "$2"', 'writer', text, file], { timeout: 20_000 });

/**
 * Live stdin relays of `stateDir`: socat, or the shell that becomes socat once its FIFO has a
 * writer, running in an attach dir under the state directory.
 */
function relaysOf(stateDir: string): number[] {
  const pids: number[] = [];
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const cwd = readlinkSync(`/proc/${entry}/cwd`);
      const stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
      const name = stat.slice(stat.indexOf('(') + 1, stat.lastIndexOf(')'));
      const state = stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3);
      if (state !== 'Z' && ['socat', 'sh'].includes(name) && cwd.startsWith(stateDir))
        pids.push(Number(entry));
    } catch {
      // the process exited while we looked
    }
  }
  return pids;
}

/** The text a process wrote to stdout, from its k8s-file log. */
const stdoutOf = (logFile: string): string =>
  readFileSync(logFile, 'utf8')
    .split('\n')
    .filter((line) => line.includes(' stdout '))
    .map((line) => {
      const [, , flag, ...text] = line.split(' ');
      return flag === 'F' ? `${text.join(' ')}\n` : text.join(' ');
    })
    .join('');

describe('runc runtime stdin (real runc + conmon + socat)', () => {
  it('feeds a FIFO written after create to the process, which sees EOF when it is closed', async () => {
    const stdin = await fx.fifo('in-cat');
    const stdout = path.join(fx.ioDir, 'cat.out');
    const task = await fx.create('cat', ['cat'], { io: { stdin, stdout, terminal: false } });
    await task.start();
    await writeFifo(stdin, 'hello\nthrough a fifo\n');
    expect(await fx.nextEvent(initExit('cat'))).toMatchObject({ status: 0 });
    await eventually(() => expect(readFileSync(stdout, 'utf8')).toBe('hello\nthrough a fifo\n'));
    await fx.runtime.delete(task);
  });

  it('reads a regular file as stdin to its end', async () => {
    const stdin = path.join(fx.ioDir, 'input.txt');
    writeFileSync(stdin, 'x'.repeat(100_000));
    const task = await fx.create('wc', ['wc', '-c'], { io: { stdin, terminal: false } });
    await task.start();
    expect(await fx.nextEvent(initExit('wc'))).toMatchObject({ status: 0 });
    await eventually(() => expect(stdoutOf(task.logPath()).trim()).toBe('100000'));
    await fx.runtime.delete(task);
  });

  it('feeds stdin to an exec', async () => {
    const task = await fx.create('host', ['sleep', '60']);
    await task.start();
    const stdin = await fx.fifo('in-exec');
    const exec = await task.exec(
      'reader',
      { args: ['sh', '-c', 'read line; echo "got $line"'] },
      { stdin, terminal: false },
    );
    await exec.start();
    await writeFifo(stdin, 'ping\n');
    expect(
      await fx.nextEvent(
        (e) => e.type === 'exit' && e.containerId === 'host' && e.execId === 'reader',
      ),
    ).toMatchObject({ status: 0 });
    await eventually(() => expect(stdoutOf(task.logPath('reader'))).toBe('got ping\n'));
    await exec.delete();
    await task.kill(9);
    await fx.nextEvent(initExit('host'));
    await fx.runtime.delete(task);
  });

  it('leaves no relay behind when a task whose stdin never ends is deleted', async () => {
    const stdin = await fx.fifo('in-unwritten'); // nobody ever opens it for writing
    const task = await fx.create('idle', ['sleep', '60'], { io: { stdin, terminal: false } });
    await task.start();
    const exec = await task.exec(
      'idle-exec',
      { args: ['sleep', '60'] },
      { stdin: await fx.fifo('in-unwritten-exec'), terminal: false },
    );
    await exec.start();
    // Each relay passes through `setsid` before it becomes socat: give both a moment to settle.
    await eventually(() => expect(relaysOf(fx.stateDir)).toHaveLength(2));
    await task.kill(9, { all: true });
    await fx.nextEvent(initExit('idle'));
    await fx.runtime.delete(task);
    await eventually(() => expect(relaysOf(fx.stateDir)).toEqual([]));
  });

  it('gives a process without a stdin path no relay, and /dev/null as stdin', async () => {
    const task = await fx.create('no-stdin', ['sh', '-c', 'cat; echo done']);
    await task.start();
    expect(await fx.nextEvent(initExit('no-stdin'))).toMatchObject({ status: 0 });
    expect(relaysOf(fx.stateDir)).toEqual([]);
    await eventually(() => expect(stdoutOf(task.logPath())).toBe('done\n'));
    await fx.runtime.delete(task);
  });

  it('refuses a stdin path that does not exist, leaving nothing behind', async () => {
    const error: unknown = await fx
      .create('bad-stdin', ['cat'], {
        io: { stdin: path.join(fx.ioDir, 'missing'), terminal: false },
      })
      .catch((e: unknown) => e);
    expect(isTaskledgerError(error, 'InvalidArgument')).toBe(true);
    expect(await fx.runtime.get('default', 'bad-stdin')).toBeUndefined();
  });
});

describe('an open stdin (run -d -i): a FIFO of the runtime that clients come and go on', () => {
  /** Reads two lines: a client's leaving must not end its input after the first. */
  const twoReads = ['sh', '-c', 'read a; echo "got $a"; read b; echo "got $b"'];

  it('passes what each writer writes, and no writer closing it ends the input', async () => {
    const task = await fx.create('open', twoReads, { io: { openStdin: true, terminal: false } });
    expect(task.stdinFifo).toBe(path.join(task.bundle, 'init', 'stdin'));
    expect(statSync(task.stdinFifo!).isFIFO()).toBe(true);
    await task.start();
    await writeFifo(task.stdinFifo!, 'one\n');
    await eventually(() => expect(stdoutOf(task.logPath())).toBe('got one\n'));
    // The first writer has closed: had the process seen EOF, it would have printed "got " and
    // exited. It still waits for its second line.
    expect(await task.status()).toBe('running');
    await writeFifo(task.stdinFifo!, 'two\n');
    expect(await fx.nextEvent(initExit('open'))).toMatchObject({ status: 0 });
    expect(stdoutOf(task.logPath())).toBe('got one\ngot two\n');
    await fx.runtime.delete(task);
    expect(existsSync(task.stdinFifo!)).toBe(false);
    await eventually(() => expect(relaysOf(fx.stateDir)).toEqual([]));
  });

  it('gives an exec an open stdin of its own', async () => {
    const task = await fx.create('open-host', ['sleep', '60']);
    await task.start();
    const exec = await task.exec(
      'open-exec',
      { args: twoReads },
      { openStdin: true, terminal: false },
    );
    expect(exec.stdinFifo).toBe(path.join(task.bundle, 'execs', 'open-exec', 'stdin'));
    await exec.start();
    await writeFifo(exec.stdinFifo!, 'a\n');
    await writeFifo(exec.stdinFifo!, 'b\n');
    expect(
      await fx.nextEvent(
        (e) => e.type === 'exit' && e.containerId === 'open-host' && e.execId === 'open-exec',
      ),
    ).toMatchObject({ status: 0 });
    expect(stdoutOf(task.logPath('open-exec'))).toBe('got a\ngot b\n');
    await exec.delete();
    await task.kill(9);
    await fx.nextEvent(initExit('open-host'));
    await fx.runtime.delete(task);
  });

  it('ends the relay of an open stdin when its task is deleted', async () => {
    const task = await fx.create('open-idle', ['sleep', '60'], {
      io: { openStdin: true, terminal: false },
    });
    await task.start();
    await eventually(() => expect(relaysOf(fx.stateDir)).toHaveLength(1));
    await task.kill(9);
    await fx.nextEvent(initExit('open-idle'));
    await fx.runtime.delete(task);
    await eventually(() => expect(relaysOf(fx.stateDir)).toEqual([]));
  });
});
