import type { TaskJson, TaskledgerClient } from '../api/client.ts';
import { attachAndWait, forwardingSignals } from './follow-output.ts';
import type { AttachedStdin } from './stdin-session.ts';

/**
 * `taskledger tasks attach [--exec-id EID] [--no-stdin] ID`, like `ctr tasks attach` and
 * `podman attach`: what the process writes from now on, our SIGINT and SIGTERM passed on to it,
 * and its exit status as ours. When it has an open stdin (`run -d -i`, `tasks exec -d -i`), our
 * stdin goes into it too, unless `--no-stdin`; with its terminal and ours, ours types into it,
 * and ctrl-p ctrl-q detaches (status 0), leaving it running.
 */
export async function attachCommand(
  client: TaskledgerClient,
  id: string,
  options: { execId?: string; stdin: boolean },
): Promise<number> {
  const { execId } = options;
  const target = options.stdin ? openStdinOf(await client.tasks.get(id), execId) : undefined;
  const { attachStdin } = target ? await import('./stdin-session.ts') : { attachStdin: undefined };
  const detach = new AbortController();
  let session: AttachedStdin | undefined;
  // Our input goes in only once the output stream has its start: whatever the process answers
  // to it is then in the stream.
  const opened = (): void => {
    if (!target || !attachStdin) return;
    session = attachStdin({
      ...target,
      resize: (size) => client.tasks.resize(id, { ...size, execId }),
    });
    void session.detached.then(() => detach.abort());
  };
  try {
    return await forwardingSignals(
      client,
      id,
      () => attachAndWait(client, id, { execId, tail: 0, detach: detach.signal, opened }),
      execId,
    );
  } finally {
    await session?.close();
  }
}

/** The open stdin of the task's init process or of one exec: its FIFO and terminal flag. */
function openStdinOf(
  task: TaskJson,
  execId: string | undefined,
): { fifo: string; terminal: boolean } | undefined {
  const execs = (task.execs ?? []) as Record<string, unknown>[];
  const process =
    execId === undefined || execId === task.id
      ? task
      : execs.find((exec) => exec.exec_id === execId);
  if (process?.open_stdin !== true || typeof process.stdin !== 'string' || process.stdin === '')
    return undefined;
  return { fifo: process.stdin, terminal: process.terminal === true };
}
