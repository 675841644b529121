import type { LogRecord } from '../domain/k8s-log.ts';
import type { TaskService } from '../services/task-service.ts';
import { followLog } from '../services/log-follower.ts';

/** Which records of a task's log to read, and how (see followLog). */
export interface TaskLogOptions {
  /** An exec's log instead of the init process's. */
  readonly execId?: string | undefined;
  /** Keep reading until the process has exited and its output is drained. */
  readonly follow: boolean;
  /** Ends the reading (the client went away). */
  readonly signal: AbortSignal;
  /** Only the last `tail` lines already written first. */
  readonly tail?: number | undefined;
  /** Only records stamped from this time on (ns since the epoch). */
  readonly since?: bigint | undefined;
  /** Only records stamped before this time (ns since the epoch). */
  readonly until?: bigint | undefined;
  /** The daemon's clock, in ns since the epoch. */
  readonly now: () => bigint;
}

/**
 * Positions a reader on a task's (or an exec's) log: NotFound when there is no such task, and
 * once this resolves, every record the process writes from then on is in what it yields. While
 * following, the reading ends once the log says the process is over and everything is read.
 */
export async function openTaskLog(
  tasks: TaskService,
  ns: string,
  id: string,
  options: TaskLogOptions,
): Promise<AsyncGenerator<LogRecord>> {
  const { execId, follow, signal } = options;
  tasks.get(ns, id); // NotFound before any answer starts
  const path = (await tasks.runtimeTask(ns, id)).logPath(execId);
  // Asked at every write to the log: one row, not the namespace's whole task list.
  const finished = (): boolean => {
    let t;
    try {
      t = tasks.get(ns, id);
    } catch {
      return true; // deleted meanwhile
    }
    if (execId && execId !== id)
      return t.execs[execId]?.status === 'stopped' || t.status === 'stopped';
    return t.status === 'stopped' || t.status === 'deleting';
  };
  const exited = follow ? tasks.wait(ns, id, execId, signal) : undefined;
  exited?.catch(() => undefined); // the follower reads it; a client gone first rejects it
  return followLog(path, {
    follow,
    finished,
    exited,
    signal,
    tail: options.tail,
    since: options.since,
    until: options.until,
    now: options.now,
  });
}
