import { watch, type FSWatcher } from 'node:fs';
import { open, type FileHandle } from 'node:fs/promises';
import type { Writable } from 'node:stream';
import { parseK8sLog } from './k8s-log.ts';
import { openOutputSink } from './output-sink.ts';

/** Copies a process's output from its k8s-file log to the client's stdout/stderr paths. */
export interface LogForwarder {
  /** Copies what is left in the log, then closes the outputs (the client sees EOF). */
  finish(): Promise<void>;
  /** Stops at once, closing the outputs without copying the rest (the runtime is closing). */
  abort(): void;
}

/** Where to forward to. */
export interface LogForwarderOptions {
  /** The k8s-file log conmon writes; it must exist (created empty before conmon starts). */
  readonly logFile: string;
  /** Path for stdout, if the client gave one. */
  readonly stdout?: string | undefined;
  /** Path for stderr, if the client gave one. */
  readonly stderr?: string | undefined;
}

const readSize = 64 * 1024;
const finishTimeoutMs = 60_000;

/**
 * Starts forwarding, or returns undefined when there is nowhere to forward to. conmon owns the
 * process's pipes and writes only the log, so the log is tailed: an inotify watch on the file
 * wakes a read loop that parses new records and writes their text to the outputs, waiting on
 * backpressure. Output reaches the client as conmon logs it; the log keeps everything anyway.
 */
export async function startLogForwarder(
  options: LogForwarderOptions,
): Promise<LogForwarder | undefined> {
  const stdoutPath = options.stdout || undefined;
  const stderrPath = options.stderr || undefined;
  if (stdoutPath === undefined && stderrPath === undefined) return undefined;

  const stdout = stdoutPath === undefined ? undefined : await openOutputSink(stdoutPath);
  const stderr =
    stderrPath === undefined
      ? undefined
      : stderrPath === stdoutPath
        ? stdout
        : await openOutputSink(stderrPath);
  const sinks = [
    ...new Set([stdout, stderr].filter((sink): sink is Writable => sink !== undefined)),
  ];
  let log: FileHandle;
  try {
    log = await open(options.logFile, 'r');
  } catch (error) {
    for (const sink of sinks) sink.destroy();
    throw error;
  }

  let offset = 0;
  let rest: Buffer = Buffer.alloc(0);
  let running: Promise<void> | undefined;
  let again = false;
  let stopped = false;

  const copyAvailable = async (): Promise<void> => {
    const buffer = Buffer.allocUnsafe(readSize);
    for (;;) {
      const { bytesRead } = await log.read(buffer, 0, readSize, offset);
      if (bytesRead === 0 || stopped) return;
      offset += bytesRead;
      const chunk = parseK8sLog(Buffer.concat([rest, buffer.subarray(0, bytesRead)]));
      rest = Buffer.from(chunk.rest);
      for (const record of chunk.records) {
        const sink = record.stream === 'stdout' ? stdout : stderr;
        if (sink && !sink.destroyed && !sink.write(record.bytes)) await drained(sink);
      }
    }
  };

  // One read loop at a time; a change seen while it runs makes it go round once more.
  const pump = (): Promise<void> => {
    if (running) {
      again = true;
      return running;
    }
    running = (async () => {
      do {
        again = false;
        await copyAvailable();
      } while (again && !stopped);
    })()
      .catch(() => undefined)
      .finally(() => {
        running = undefined;
      });
    return running;
  };

  const watcher: FSWatcher = watch(options.logFile, { persistent: false }, () => void pump());
  watcher.on('error', () => watcher.close());
  void pump();

  const closeAll = async (graceful: boolean): Promise<void> => {
    watcher.close();
    if (graceful) {
      // A client that never reads would hold its FIFO (and this forwarder) forever: give up.
      const giveUp = setTimeout(() => sinks.forEach((sink) => sink.destroy()), finishTimeoutMs);
      giveUp.unref();
      await pump();
      await Promise.all(sinks.map((sink) => endSink(sink)));
      clearTimeout(giveUp);
    } else {
      stopped = true;
      for (const sink of sinks) sink.destroy();
    }
    await log.close().catch(() => undefined);
  };

  let finished: Promise<void> | undefined;
  return {
    finish: () => (finished ??= closeAll(true)),
    abort: () => {
      finished ??= closeAll(false);
    },
  };
}

/** Resolves when `sink` can take more, or is gone. */
function drained(sink: Writable): Promise<void> {
  return new Promise((resolve) => {
    const done = (): void => {
      sink.off('drain', done).off('close', done);
      resolve();
    };
    sink.on('drain', done).on('close', done);
  });
}

/** Ends `sink` and resolves once it has flushed and closed (or failed). */
function endSink(sink: Writable): Promise<void> {
  if (sink.destroyed) return Promise.resolve();
  return new Promise((resolve) => {
    sink.once('close', () => resolve());
    sink.end();
  });
}
