import { execFileSync } from 'node:child_process';
import { closeSync, constants, mkdtempSync, openSync, readSync, rmSync } from 'node:fs';
import { open } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import { afterEach, describe, expect, it } from 'vitest';
import { attachStdin } from '../../src/cli/stdin-session.ts';

let dir: string;
const fifo = (name: string): string => {
  const path = join(dir, name);
  execFileSync('mkfifo', [path]);
  return path;
};
const resize = (): Promise<void> => Promise.resolve();

describe("tasks attach's copy of our input into a process's FIFO", () => {
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('closes even when its open of the FIFO starts after the close, with no reader left', async () => {
    dir = mkdtempSync(join(tmpdir(), 'taskledger-stdin-'));
    // Every thread of libuv's pool waits in the open of a FIFO nobody writes, so the attach's
    // own open is queued behind them and begins only after close() has run.
    const poolSize = Number(process.env.UV_THREADPOOL_SIZE ?? 4);
    const blockers = Array.from({ length: poolSize }, (_, i) => fifo(`blocker-${i}`));
    const waiting = blockers.map((path) => open(path, 'r'));
    const target = fifo('stdin');
    const copy = attachStdin({ fifo: target, terminal: false, resize, input: new PassThrough() });
    const closed = copy.close();
    const writers = blockers.map((path) =>
      openSync(path, constants.O_WRONLY | constants.O_NONBLOCK),
    );
    for (const handle of await Promise.all(waiting)) await handle.close();
    writers.forEach((fd) => closeSync(fd));
    const settled = await Promise.race([
      closed.then(() => 'closed'),
      new Promise((resolve) => setTimeout(resolve, 3000, 'still open')),
    ]);
    expect(settled).toBe('closed');
  });

  it('copies its input into the FIFO a reader holds', async () => {
    dir = mkdtempSync(join(tmpdir(), 'taskledger-stdin-'));
    const target = fifo('stdin');
    const reader = openSync(target, constants.O_RDONLY | constants.O_NONBLOCK);
    const input = new PassThrough();
    const copy = attachStdin({ fifo: target, terminal: false, resize, input });
    input.write('typed\n');
    await expect.poll(() => readChunk(reader)).toBe('typed\n');
    await copy.close();
    closeSync(reader);
  });
});

/** What the FIFO holds now, without waiting ('' when empty). */
function readChunk(fd: number): string {
  const buffer = Buffer.alloc(256);
  try {
    return buffer.toString('utf8', 0, readSync(fd, buffer));
  } catch {
    return ''; // EAGAIN: nothing written yet
  }
}
