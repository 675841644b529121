import type { ExitJson, LogRecordJson, TaskledgerClient } from '../api/client.ts';

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
    /** The exit, from a wait registered beforehand (`run` waits before it starts the task). */
    exit?: Promise<ExitJson>;
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
  const exit = await (options.exit ?? client.tasks.wait(id, { execId }));
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
 * Starts a task (or exec) with `start` only once its output is followed and its exit waited
 * for: a process that ends at once, and with `until: 'removed'` is removed at once, cannot be
 * gone before we listen. Then streams its output like {@link attachAndWait}; `started` runs right
 * after the start. A failed start stops the listening and rejects with its error.
 */
export async function startAttached(
  client: TaskledgerClient,
  id: string,
  start: () => Promise<unknown>,
  options: { until?: 'exit' | 'removed'; started?: () => void } = {},
): Promise<number> {
  const stop = new AbortController();
  const listening = { output: deferred(), exit: deferred() };
  const exit = client.tasks.wait(id, {
    until: options.until ?? 'exit',
    opened: listening.exit.resolve,
    signal: stop.signal,
  });
  exit.catch(() => undefined); // read by attachAndWait once the output ends, or dropped
  const status = attachAndWait(client, id, {
    opened: listening.output.resolve,
    exit,
    detach: stop.signal,
  });
  try {
    // Either request failing ends the waiting for both to be open.
    const open = Promise.all([listening.output.promise, listening.exit.promise]);
    await Promise.race([open, status, exit]);
    await start();
  } catch (error) {
    stop.abort();
    await Promise.allSettled([exit, status]);
    throw error;
  }
  options.started?.();
  return status;
}

function deferred(): { promise: Promise<void>; resolve: () => void } {
  let resolve!: () => void;
  const promise = new Promise<void>((r) => (resolve = r));
  return { promise, resolve };
}
