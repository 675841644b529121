import { watch } from 'node:fs';
import { open, type FileHandle } from 'node:fs/promises';
import { parseLogLine, type LogRecord } from '../domain/k8s-log.ts';
import { parseTimestampNs } from '../domain/timestamp.ts';

/** How {@link followLog} follows a log. */
export interface FollowOptions {
  /** Keep reading as the log grows, until the process is finished. */
  readonly follow: boolean;
  /** Whether the process has finished (its exit is recorded). */
  readonly finished: () => boolean;
  /** Settles when the process's exit is recorded: the follower re-checks at once. */
  readonly exited?: Promise<unknown>;
  /** Stops the reading. */
  readonly signal: AbortSignal;
  /** Start with only the last `tail` lines already written (0: only what comes next). */
  readonly tail?: number;
  /** Only records stamped at or after this time (ns since the epoch); applied after `tail`. */
  readonly since?: bigint;
  /**
   * Only records stamped before this time (ns since the epoch): the first one at or after it
   * ends the reading, and so does the clock reaching it while following.
   */
  readonly until?: bigint;
  /** The current time in ns since the epoch, for `until` while following (default: Date.now). */
  readonly now?: () => bigint;
}

/**
 * Reads a k8s-file log from the start (or its last `tail` lines), the records stamped from
 * `since` and before `until` only; with `follow`, keeps reading as it grows (inotify through
 * fs.watch) until `finished()` is true and everything written has been read, the clock reaches
 * `until`, or `signal` aborts.
 *
 * Where it starts is fixed when this resolves, before anything is read: with `tail: 0`, a caller
 * that then tells its client the stream is open (attach, before it sends input) misses nothing
 * the process writes after that. The records must then be read to their end (or `signal` abort),
 * which closes the file.
 */
export async function followLog(
  path: string,
  options: FollowOptions,
): Promise<AsyncGenerator<LogRecord>> {
  let file;
  try {
    file = await open(path, 'r');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
  }
  try {
    const position =
      file && options.tail !== undefined ? await startOfLastLines(file, options.tail) : 0;
    return readRecords(path, file, position, options);
  } catch (error) {
    await file?.close();
    throw error;
  }
}

async function* readRecords(
  path: string,
  opened: FileHandle | undefined,
  start: number,
  options: FollowOptions,
): AsyncGenerator<LogRecord> {
  let file = opened;
  if (!file && !options.follow) return;
  let wake: (() => void) | undefined;
  const watcher = options.follow
    ? watch(path.slice(0, path.lastIndexOf('/')) || '/', () => wake?.())
    : undefined;
  const onAbort = (): void => wake?.();
  options.signal.addEventListener('abort', onAbort);
  // conmon's exit file wakes the watcher too, but the exit is recorded only a moment later:
  // without this wake-up, a follower that looked in between slept until the slow re-check.
  let exited = false;
  options.exited?.then(
    () => {
      exited = true;
      wake?.();
    },
    () => undefined,
  );
  const { since, until } = options;
  const windowed = since !== undefined || until !== undefined;
  const now = options.now ?? ((): bigint => BigInt(Date.now()) * 1_000_000n);
  try {
    let position = start;
    let pending = '';
    const buffer = Buffer.alloc(64 * 1024);
    for (;;) {
      if (options.signal.aborted) return;
      file ??= await open(path, 'r').catch(() => undefined);
      let read = 0;
      if (file) {
        ({ bytesRead: read } = await file.read(buffer, 0, buffer.length, position));
        position += read;
        pending += buffer.toString('utf8', 0, read);
        let newline;
        while ((newline = pending.indexOf('\n')) >= 0) {
          const record = parseLogLine(pending.slice(0, newline));
          pending = pending.slice(newline + 1);
          if (!record) continue;
          const time = windowed ? timeNs(record.time) : undefined;
          if (time !== undefined && until !== undefined && time >= until) return;
          if (time !== undefined && since !== undefined && time < since) continue;
          yield record;
        }
      }
      if (read > 0) continue;
      // Nothing new: done unless following a process that is still running.
      if (!options.follow) return;
      if (until !== undefined && now() >= until) return;
      const done = options.finished();
      if (done) {
        // One more read after seeing the exit: the last lines may land just before it.
        if (file) {
          const { bytesRead } = await file.read(buffer, 0, buffer.length, position);
          if (bytesRead > 0) {
            position += bytesRead;
            pending += buffer.toString('utf8', 0, bytesRead);
            continue;
          }
        }
        return;
      }
      await new Promise<void>((resolve) => {
        wake = resolve;
        // A safety net only: fs.watch and `exited` wake the follower for everything it waits for,
        // but the clock reaching `until`.
        const untilMs = until === undefined ? Infinity : Number((until - now()) / 1_000_000n) + 1;
        setTimeout(resolve, Math.max(0, Math.min(exited ? 10 : 250, untilMs)));
      });
      wake = undefined;
    }
  } finally {
    watcher?.close();
    options.signal.removeEventListener('abort', onAbort);
    await file?.close();
  }
}

/**
 * Where the last `count` complete lines of the file start, read backwards from its end: a log
 * can be large, and `tail` wants only its end. A line still being written does not count.
 */
async function startOfLastLines(file: FileHandle, count: number): Promise<number> {
  const chunk = Buffer.alloc(64 * 1024);
  let end = (await file.stat()).size;
  // Newlines to pass: the one ending the last complete line, then one before each line kept.
  let newlines = count + 1;
  while (end > 0) {
    const start = Math.max(0, end - chunk.length);
    const { bytesRead } = await file.read(chunk, 0, end - start, start);
    for (let i = bytesRead - 1; i >= 0; i--) {
      if (chunk[i] === 0x0a && --newlines === 0) return start + i + 1;
    }
    end = start;
  }
  return 0;
}

/** A record's time in ns since the epoch; undefined when conmon's stamp does not parse. */
function timeNs(text: string): bigint | undefined {
  try {
    return parseTimestampNs(text);
  } catch {
    return undefined;
  }
}
