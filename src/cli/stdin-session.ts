import {
  closeSync,
  constants,
  createWriteStream,
  mkdtempSync,
  openSync,
  rmSync,
  type WriteStream,
} from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { IoPaths } from '../api/client.ts';
import { usageError } from './args.ts';
import { scanDetachKeys } from './detach-keys.ts';

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
  if (terminal && !isTerminal())
    throw usageError('-t needs a terminal: stdin and stdout must both be one');
  const dir = mkdtempSync(path.join(tmpdir(), 'taskledger-stdin-'));
  const stdin = path.join(dir, 'stdin');
  // Node cannot make a FIFO; this is one short command, on the -i and -t paths only. Loaded
  // here: child_process is a millisecond of every other command's start-up. Not with import():
  // the CLI's start-up snapshot (scripts/build-cli.ts) cannot import.
  const { execFileSync } = process.getBuiltinModule('node:child_process');
  execFileSync('mkfifo', ['-m', '600', stdin]);
  let copy: StdinCopy | undefined;
  let closed = false;
  return {
    io: { stdin, terminal },
    attach(resize) {
      // The open completes once the daemon's relay opens the FIFO for reading. At the end of our
      // input the FIFO is closed, and the relay passes the EOF on to the process.
      copy = copyStdin({ fifo: stdin, terminal, resize, detachKeys: false });
    },
    close() {
      if (closed) return;
      closed = true;
      void copy?.close(); // its reader, if any, was opened before the FIFO goes
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** `tasks attach` to a process with an open stdin: our keystrokes or input go to its FIFO. */
export interface AttachedStdin {
  /** Whether our terminal types into the process's (raw mode, its size kept ours). */
  readonly terminal: boolean;
  /** Settles once the detach keys (ctrl-p ctrl-q) were typed; only with a terminal. */
  readonly detached: Promise<void>;
  /** Gives the terminal back as it was and stops copying; settles once the FIFO is closed. */
  close(): Promise<void>;
}

/**
 * Copies our stdin into the FIFO of a process's open stdin (the daemon's, shown as its `stdin`),
 * as `podman attach` does. When the process has a terminal and ours is one too, ours goes to raw
 * mode, its size follows ours, and ctrl-p ctrl-q detaches, leaving it running. The end of our
 * input is not the end of the process's: the daemon holds its stdin open for the next client.
 */
export function attachStdin(options: {
  fifo: string;
  terminal: boolean;
  resize: Resize;
  /** What to copy when there is no terminal: our stdin unless given. */
  input?: NodeJS.ReadableStream;
}): AttachedStdin {
  const terminal = options.terminal && isTerminal();
  let detach: () => void = () => undefined;
  const detached = new Promise<void>((resolve) => (detach = resolve));
  const copy = copyStdin({ ...options, terminal, detachKeys: terminal, onDetach: detach });
  return { terminal, detached, close: () => copy.close() };
}

// O_WRONLY alone: the default 'w' adds O_CREAT, which makes a plain file where the FIFO is not yet
// (an exec not started) or no longer is, and a plain file there breaks the relay's mkfifo. Node
// passes numeric flags through to open(2); its types only name the string forms.
const writeOnly = constants.O_WRONLY as unknown as string;

const isTerminal = (): boolean => process.stdin.isTTY === true && process.stdout.isTTY === true;

interface StdinCopy {
  close(): Promise<void>;
}

/** Copies our stdin into `fifo` (and, with a terminal, sizes and detach keys); see above. */
function copyStdin(options: {
  fifo: string;
  terminal: boolean;
  resize: Resize;
  detachKeys: boolean;
  onDetach?: () => void;
  input?: NodeJS.ReadableStream;
}): StdinCopy {
  const { terminal } = options;
  const input = options.input ?? process.stdin;
  let closing: Promise<void> | undefined;
  let opened = false;
  const fifo: WriteStream = createWriteStream(options.fifo, { flags: writeOnly });
  const fifoClosed = new Promise<void>((resolve) => fifo.once('close', resolve));
  fifo.on('open', () => (opened = true));
  fifo.on('error', () => undefined); // EPIPE once the process and its relay are gone
  if (terminal) process.stdin.setRawMode(true);
  if (options.detachKeys) {
    let pending = false;
    input.on('data', (chunk: Buffer) => {
      const scan = scanDetachKeys(chunk, pending);
      pending = scan.pending;
      if (scan.forward.length > 0) fifo.write(scan.forward);
      if (scan.detach) options.onDetach?.();
    });
  } else {
    input.pipe(fifo);
  }
  const onResize = (): void => {
    options
      .resize({ width: process.stdout.columns, height: process.stdout.rows })
      .catch(() => undefined);
  };
  if (terminal) {
    onResize();
    process.stdout.on('resize', onResize);
  }
  return {
    close() {
      if (closing) return closing;
      process.stdout.off('resize', onResize);
      input.unpipe(fifo);
      input.removeAllListeners('data');
      // The open waits for a reader: none comes when the relay is gone (the process exited
      // seconds ago) or never started. A pending open would keep the CLI from exiting, so we
      // hold the read end ourselves until the stream is closed. Held, not opened and closed at
      // once: the open(2) may not have begun yet (it waits for a thread of libuv's pool), and
      // one that begins after our reader left would wait forever.
      const reader = opened ? undefined : openReader(options.fifo);
      closing = fifoClosed.then(() => {
        if (reader !== undefined) closeSync(reader);
      });
      fifo.destroy();
      if (terminal) process.stdin.setRawMode(false);
      if (input === process.stdin) process.stdin.destroy(); // lets the process exit
      return closing;
    },
  };
}

/** Opens `fifo`'s read end without waiting for a writer; undefined when the FIFO is gone. */
function openReader(fifo: string): number | undefined {
  try {
    return openSync(fifo, constants.O_RDONLY | constants.O_NONBLOCK);
  } catch {
    return undefined; // the FIFO is gone (its task was deleted): an open of it fails, not waits
  }
}
