import { existsSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { execa } from 'execa';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { isTaskledgerError } from '../../src/domain/errors.ts';
import { startThroughExecFifo } from '../../src/runtime/exec-fifo-start.ts';
import { reapedPid } from '../helpers/reaped-pid.ts';

// runc's side is played by a shell that opens the FIFO for writing and writes one byte, as
// `runc init` does; the real runc is covered by runc-runtime-start.int.test.ts.
let dir: string;
let fifo: string;

beforeEach(async () => {
  dir = await mkdtemp(path.join(tmpdir(), 'taskledger-exec-fifo-'));
  fifo = path.join(dir, 'exec.fifo');
});

afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('start through the exec FIFO', () => {
  it('reads what the waiting init writes and removes the FIFO', async () => {
    await execa('mkfifo', [fifo]);
    const init = execa('sh', ['-c', `printf 0 > ${fifo}; sleep 5`]);
    try {
      expect(await startThroughExecFifo(dir, init.pid!, 5_000)).toBe(true);
      expect(existsSync(fifo)).toBe(false);
    } finally {
      init.kill('SIGKILL');
      await init.catch(() => undefined);
    }
  });

  it('also starts an init that opens the FIFO only after the reader came', async () => {
    await execa('mkfifo', [fifo]);
    const init = execa('sh', ['-c', `sleep 0.3; printf 0 > ${fifo}; sleep 5`]);
    try {
      expect(await startThroughExecFifo(dir, init.pid!, 5_000)).toBe(true);
    } finally {
      init.kill('SIGKILL');
      await init.catch(() => undefined);
    }
  });

  it('changes nothing when there is no FIFO, or a file in its place', async () => {
    expect(await startThroughExecFifo(dir, process.pid, 5_000)).toBe(false);
    await execa('touch', [fifo]);
    expect(await startThroughExecFifo(dir, process.pid, 5_000)).toBe(false);
    expect(existsSync(fifo)).toBe(true);
  });

  it('stops waiting, leaving the FIFO, once the init is gone', async () => {
    await execa('mkfifo', [fifo]);
    const started = Date.now();
    expect(await startThroughExecFifo(dir, await reapedPid(), 5_000)).toBe(false);
    expect(Date.now() - started).toBeLessThan(2_000);
    expect(existsSync(fifo)).toBe(true);
  });

  it('gives up with Unavailable when a live init never opens the FIFO', async () => {
    await execa('mkfifo', [fifo]);
    const error: unknown = await startThroughExecFifo(dir, process.pid, 300).catch(
      (e: unknown) => e,
    );
    expect(isTaskledgerError(error, 'Unavailable')).toBe(true);
    expect(existsSync(fifo)).toBe(true);
  });
});
