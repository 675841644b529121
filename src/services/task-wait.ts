import type { Observable } from 'rxjs';
import { unavailable } from '../domain/errors.ts';
import type { StoredEvent } from '../domain/event-envelope.ts';
import * as decide from '../domain/task-decide.ts';
import type { Task } from '../domain/task-state.ts';
import type { ExitResult } from './task-service.ts';

/**
 * Resolves with the exit of the init process (or of `execId`) as soon as the log has it. The state
 * is checked and the subscription made in one synchronous turn, so an exit committed in between
 * cannot be missed; many waiters may wait on one task.
 */
export function waitForExit(options: {
  load: () => Task | undefined;
  ns: string;
  id: string;
  execId: string | undefined;
  streamId: string;
  committed: Observable<StoredEvent>;
  signals: readonly AbortSignal[];
}): Promise<ExitResult> {
  const { ns, id, execId } = options;
  const check = (): ExitResult | undefined => {
    const task = decide.requireTask(options.load(), ns, id);
    if (execId && execId !== id) {
      const x = decide.requireExec(task, execId);
      return x.status === 'stopped'
        ? { exit_status: x.exitStatus!, exited_at: x.exitedAt!, pid: x.pid }
        : undefined;
    }
    if (task.status === 'stopped' || (task.status === 'deleting' && task.exitStatus !== null)) {
      return { exit_status: task.exitStatus!, exited_at: task.exitedAt!, pid: task.pid };
    }
    return undefined;
  };
  return new Promise<ExitResult>((resolve, reject) => {
    let done = false;
    const finish = (fn: () => void): void => {
      if (done) return;
      done = true;
      subscription.unsubscribe();
      for (const s of options.signals) s.removeEventListener('abort', onAbort);
      fn();
    };
    const onAbort = (): void =>
      finish(() =>
        reject(
          unavailable(
            `wait for task "${id}" interrupted: the daemon is stopping or the client left; wait again`,
          ),
        ),
      );
    const subscription = options.committed.subscribe((e) => {
      if (e.streamId !== options.streamId) return;
      try {
        const exit = check();
        if (exit) finish(() => resolve(exit));
      } catch (error) {
        finish(() => reject(asError(error)));
      }
    });
    try {
      const exit = check();
      if (exit) return finish(() => resolve(exit));
    } catch (error) {
      return finish(() => reject(asError(error)));
    }
    for (const s of options.signals) {
      if (s.aborted) return onAbort();
      s.addEventListener('abort', onAbort);
    }
  });
}

function asError(error: unknown): Error {
  return error instanceof Error ? error : new Error(String(error));
}
