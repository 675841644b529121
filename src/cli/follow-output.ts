import type { Observable } from 'rxjs';
import type { AttachedLine, LogRecordJson, RunRequest, TaskledgerClient } from '../api/client.ts';
import { unavailable } from '../domain/errors.ts';

/** Writes log records to our stdout/stderr as the process wrote them. */
export function writeRecord(record: LogRecordJson): void {
  const out = record.stream === 'stderr' ? process.stderr : process.stdout;
  out.write(record.full ? `${record.text}\n` : record.text);
}

/**
 * Streams a task's (or exec's) output to ours until it exits, then resolves with its exit status.
 * The log stream ends by itself once the process has exited and its output is drained. With
 * `tail`, only the last `tail` lines already written come first (0: only what comes next), and
 * `opened` hears when that start is fixed. When `detach` aborts, it stops following and resolves
 * with 0, leaving the process running.
 */
export async function attachAndWait(
  client: TaskledgerClient,
  id: string,
  options: {
    execId?: string;
    tail?: number;
    detach?: AbortSignal;
    opened?: () => void;
  } = {},
): Promise<number> {
  const { execId, tail, detach, opened } = options;
  const exited = await new Promise<boolean>((resolve, reject) => {
    const following = client.tasks
      .logs(id, { follow: true, execId, tail, opened })
      .subscribe({ next: writeRecord, error: reject, complete: () => resolve(true) });
    detach?.addEventListener(
      'abort',
      () => {
        following.unsubscribe();
        resolve(false);
      },
      { once: true },
    );
  });
  if (!exited) return 0;
  const exit = await client.tasks.wait(id, { execId });
  return exit.exit_status;
}

/** Forwards SIGINT/SIGTERM to the task (or exec) while `work` runs, as `ctr run` does. */
export async function forwardingSignals<T>(
  client: TaskledgerClient,
  id: string,
  work: () => Promise<T>,
  execId?: string,
): Promise<T> {
  const forward = (signal: NodeJS.Signals): void => {
    client.tasks.kill(id, { signal, execId }).catch(() => undefined);
  };
  process.on('SIGINT', forward);
  process.on('SIGTERM', forward);
  try {
    return await work();
  } finally {
    process.off('SIGINT', forward);
    process.off('SIGTERM', forward);
  }
}

/**
 * Starts a task and follows it in the same request (the client's `startAttached`): streams its
 * output to ours, calls `started` once it runs, and resolves with its exit status (with
 * `until: 'removed'`, once its container is gone too). A start that fails rejects before
 * `started`, with nothing run.
 */
export function startAttached(
  client: TaskledgerClient,
  id: string,
  options: { until?: 'exit' | 'removed'; started?: () => void } = {},
): Promise<number> {
  return follow(client.tasks.startAttached(id, { until: options.until }), id, options.started);
}

/**
 * Creates a container and its task, starts it and follows it, in one request (the client's
 * `runAttached`), as {@link startAttached} follows a start.
 */
export function followRun(
  client: TaskledgerClient,
  request: RunRequest,
  options: { until?: 'exit' | 'removed'; started?: () => void } = {},
): Promise<number> {
  return follow(
    client.runAttached(request, { until: options.until }),
    request.container.id,
    options.started,
  );
}

/** Writes an attached answer's records to our stdout/stderr; resolves with the exit status. */
function follow(
  lines: Observable<AttachedLine>,
  id: string,
  started: (() => void) | undefined,
): Promise<number> {
  return new Promise((resolve, reject) => {
    let status: number | undefined;
    lines.subscribe({
      next(line) {
        if ('task' in line) started?.();
        else if ('log' in line) writeRecord(line.log);
        else status = line.exit.exit_status;
      },
      error: reject,
      complete() {
        if (status !== undefined) resolve(status);
        else reject(unavailable(`the daemon ended the output of "${id}" without its exit`));
      },
    });
  });
}
