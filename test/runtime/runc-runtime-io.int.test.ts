import { readFileSync } from 'node:fs';
import path from 'node:path';
import { execa } from 'execa';
import { describe, expect, it } from 'vitest';
import {
  delay,
  eventually,
  initExit,
  withRuntimeFixture,
  type RuntimeFixture,
} from './runtime-fixture.ts';

let fx: RuntimeFixture;
withRuntimeFixture('io', (created) => (fx = created));

/** A reader in another process (like `ctr`): resolves with everything read, at EOF. */
const readFifo = (file: string) =>
  execa('cat', [file], { timeout: 20_000, stripFinalNewline: false });

describe('runc runtime stdio (real runc + conmon)', () => {
  it('forwards stdout and stderr to FIFOs and closes them when the task exits', async () => {
    const stdout = await fx.fifo('out-1');
    const stderr = await fx.fifo('err-1');
    const outReader = readFifo(stdout); // opened before the task exists, as ctr does
    const errReader = readFifo(stderr);
    const task = await fx.create(
      'fifos',
      ['sh', '-c', 'echo hello; echo problem >&2; printf "no newline"'],
      {
        io: { stdout, stderr, terminal: false },
      },
    );
    await task.start();
    await fx.nextEvent(initExit('fifos'));
    // EOF on both: the readers finish because the runtime closed its write ends.
    const [out, err] = await Promise.all([outReader, errReader]);
    expect(out.stdout).toBe('hello\nno newline');
    expect(err.stdout).toBe('problem\n');
    await fx.runtime.delete(task);
  });

  it('never blocks on a FIFO that nobody reads yet', async () => {
    const stdout = await fx.fifo('out-unread');
    let maxLagMs = 0;
    let last = performance.now();
    const ticker = setInterval(() => {
      const now = performance.now();
      maxLagMs = Math.max(maxLagMs, now - last - 10);
      last = now;
    }, 10);
    try {
      const task = await fx.create('unread', ['sh', '-c', 'echo early; sleep 0.3; echo late'], {
        io: { stdout, terminal: false },
      });
      await task.start();
      await delay(100);
      const reader = readFifo(stdout); // the client shows up late
      await fx.nextEvent(initExit('unread'));
      expect((await reader).stdout).toBe('early\nlate\n');
      await fx.runtime.delete(task);
    } finally {
      clearInterval(ticker);
    }
    // Subprocess spawns stall the loop for a few ms each; a blocking FIFO open would stall it forever.
    expect(maxLagMs).toBeLessThan(250);
  });

  it('forwards a megabyte through a FIFO, honouring backpressure', async () => {
    const stdout = await fx.fifo('out-big');
    const reader = readFifo(stdout);
    const task = await fx.create(
      'big',
      ['sh', '-c', 'head -c 1048576 /dev/zero | tr "\\0" x; echo'],
      {
        io: { stdout, terminal: false },
      },
    );
    await task.start();
    await fx.nextEvent(initExit('big'));
    const { stdout: text } = await reader;
    expect(text).toHaveLength(1048576 + 1);
    expect(text.replaceAll('x', '')).toBe('\n');
    await fx.runtime.delete(task);
  });

  it('appends output to regular files, both streams to one file when the paths are equal', async () => {
    const file = path.join(fx.ioDir, 'combined.log');
    const task = await fx.create(
      'files',
      ['sh', '-c', 'echo one; sleep 0.1; echo two >&2; sleep 0.1; echo three'],
      {
        io: { stdout: file, stderr: file, terminal: false },
      },
    );
    await task.start();
    await fx.nextEvent(initExit('files'));
    // The exit is reported at once; the forwarder copies the log's tail a moment later.
    await eventually(() => expect(readFileSync(file, 'utf8')).toBe('one\ntwo\nthree\n'));
    await fx.runtime.delete(task);
  });

  it('forwards the output of an exec to its own file', async () => {
    const file = path.join(fx.ioDir, 'exec.out');
    const task = await fx.create('exec-io', ['sleep', '60']);
    await task.start();
    const exec = await task.exec(
      'say',
      { args: ['echo', 'from exec'] },
      { stdout: file, terminal: false },
    );
    await exec.start();
    await fx.nextEvent(
      (e) => e.type === 'exit' && e.containerId === 'exec-io' && e.execId === 'say',
    );
    await eventually(() => expect(readFileSync(file, 'utf8')).toBe('from exec\n'));
    await exec.delete();
    await task.kill(9);
    await fx.nextEvent(initExit('exec-io'));
    await fx.runtime.delete(task);
  });
});
