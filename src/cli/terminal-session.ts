import { execFileSync } from 'node:child_process';
import { createWriteStream, mkdtempSync, rmSync, type WriteStream } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { IoPaths } from '../api/client.ts';
import { usageError } from './args.ts';

/** Sends a window size; the session ignores its failures (the process may be gone). */
type Resize = (size: { width: number; height: number }) => Promise<void>;

/**
 * The client side of `run -t` and `tasks exec -t`, as `ctr` does it: a FIFO of our own for the
 * process's stdin, our terminal in raw mode typing into it (Ctrl-C reaches the container's
 * terminal as a keystroke), and the terminal's size sent now and on every change.
 */
export interface TerminalSession {
  /** The IO to create the task or exec with: the stdin FIFO and `terminal: true`. */
  readonly io: IoPaths;
  /** Starts typing into the process and keeps its terminal our size; call once it is started. */
  attach(resize: Resize): void;
  /** Gives the terminal back as it was and removes the FIFO; idempotent. */
  close(): void;
}

/** Opens a session; a usage error when our stdin or stdout is not a terminal. */
export function openTerminalSession(): TerminalSession {
  if (!process.stdin.isTTY || !process.stdout.isTTY)
    throw usageError('-t needs a terminal: stdin and stdout must both be one');
  const dir = mkdtempSync(path.join(tmpdir(), 'taskledger-tty-'));
  const stdin = path.join(dir, 'stdin');
  // Node cannot make a FIFO; this is one short command, on the interactive path only.
  execFileSync('mkfifo', ['-m', '600', stdin]);
  let fifo: WriteStream | undefined;
  let onResize: (() => void) | undefined;
  let closed = false;
  return {
    io: { stdin, terminal: true },
    attach(resize) {
      // The open completes once the daemon's relay opens the FIFO for reading.
      fifo = createWriteStream(stdin);
      fifo.on('error', () => undefined); // EPIPE once the process and its relay are gone
      process.stdin.setRawMode(true);
      process.stdin.pipe(fifo);
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
        process.stdin.setRawMode(false);
        process.stdin.destroy(); // lets the process exit: nothing more is read
      }
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
