import { watch } from 'node:fs';
import { open } from 'node:fs/promises';
import { parseLogLine, type LogRecord } from '../domain/k8s-log.ts';

/**
 * Reads a k8s-file log from the start; with `follow`, keeps reading as it grows (inotify through
 * fs.watch) until `finished()` is true and everything written has been read, or `signal` aborts.
 */
export async function* followLog(
  path: string,
  options: { follow: boolean; finished: () => boolean; signal: AbortSignal },
): AsyncGenerator<LogRecord> {
  let file;
  try {
    file = await open(path, 'r');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT' && !options.follow) return;
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
  }
  let wake: (() => void) | undefined;
  const watcher = options.follow
    ? watch(path.slice(0, path.lastIndexOf('/')) || '/', () => wake?.())
    : undefined;
  const onAbort = (): void => wake?.();
  options.signal.addEventListener('abort', onAbort);
  try {
    let position = 0;
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
          if (record) yield record;
        }
      }
      if (read > 0) continue;
      // Nothing new: done unless following a process that is still running.
      if (!options.follow) return;
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
        // fs.watch misses nothing we wait for, but the exit is an event in the log, not the file:
        // re-check it at a slow pace.
        setTimeout(resolve, 250);
      });
      wake = undefined;
    }
  } finally {
    watcher?.close();
    options.signal.removeEventListener('abort', onAbort);
    await file?.close();
  }
}
