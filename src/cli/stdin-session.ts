import { execFileSync } from 'node:child_process';
import { createWriteStream, mkdtempSync, rmSync, type WriteStream } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { IoPaths } from '../api/client.ts';
import { usageError } from './args.ts';

/** Sends a window size; the session ignores its failures (the process may be gone). */
type Resize = (size: { width: number; height: number }) => Promise<void>;

/**
 * The client side of `-i` and `-t` (`run`, `tasks exec`), as `ctr` and Podman do it: a FIFO of
 * our own for the process's stdin, and our stdin copied into it. With `-t` the process gets a
 * terminal: ours goes to raw mode (Ctrl-C reaches the container's terminal as a keystroke) and
 * its size is sent now and on every change. Without one, the end of our input is the end of the
 * process's.
 */
export interface StdinSession {
  /** The IO to create the task or exec with: the stdin FIFO, and `terminal` as asked. */
  readonly io: IoPaths;
  /** Starts copying our stdin to the process (and keeps its terminal our size); once started. */
  attach(resize: Resize): void;
  /** Gives the terminal back as it was and removes the FIFO; idempotent. */
  close(): void;
}

/** Opens a session; with a terminal, a usage error when our stdin or stdout is not one. */
export function openStdinSession(options: { terminal: boolean }): StdinSession {
  const { terminal } = options;
  if (terminal && (!process.stdin.isTTY || !process.stdout.isTTY))
    throw usageError('-t needs a terminal: stdin and stdout must both be one');
  const dir = mkdtempSync(path.join(tmpdir(), 'taskledger-stdin-'));
  const stdin = path.join(dir, 'stdin');
  // Node cannot make a FIFO; this is one short command, on the -i and -t paths only.
  execFileSync('mkfifo', ['-m', '600', stdin]);
  let fifo: WriteStream | undefined;
  let onResize: (() => void) | undefined;
  let closed = false;
  return {
    io: { stdin, terminal },
    attach(resize) {
      // The open completes once the daemon's relay opens the FIFO for reading. At the end of our
      // input the FIFO is closed, and the relay passes the EOF on to the process.
      fifo = createWriteStream(stdin);
      fifo.on('error', () => undefined); // EPIPE once the process and its relay are gone
      if (terminal) process.stdin.setRawMode(true);
      process.stdin.pipe(fifo);
      if (!terminal) return;
      onResize = () => {
        resize({ width: process.stdout.columns, height: process.stdout.rows }).catch(
          () => undefined,
        );
      };
      onResize();
      process.stdout.on('resize', onResize);
    },
    close() {
      if (closed) return;
      closed = true;
      if (onResize) process.stdout.off('resize', onResize);
      if (fifo) {
        process.stdin.unpipe(fifo);
        fifo.destroy();
        if (terminal) process.stdin.setRawMode(false);
        process.stdin.destroy(); // lets the process exit: nothing more is read
      }
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
