import { alreadyExists, failedPrecondition, notFound } from './errors.ts';
import type { NewEvent } from './event-envelope.ts';
import { validateIdentifier } from './identifiers.ts';
import {
  isLive,
  type ExecState,
  type Task,
  type TaskIoState,
  type TaskStatus,
} from './task-state.ts';
import { taskInternalTopics as internal, taskTopics as topics } from './task-topics.ts';

/** Throws NotFound unless the task exists (failed creates count as absent). */
export function requireTask(task: Task | undefined, namespace: string, containerId: string): Task {
  if (!isLive(task))
    throw notFound(`no task for container "${containerId}" in namespace "${namespace}"`);
  return task;
}

/** Throws FailedPrecondition naming the current state unless the task is in one of `allowed`. */
export function requireStatus(task: Task, allowed: readonly TaskStatus[], action: string): void {
  if (!allowed.includes(task.status)) {
    throw failedPrecondition(`cannot ${action} task "${task.containerId}": it is ${task.status}`);
  }
}

/** The create intent: recorded before the runtime is asked, so recovery can resolve a crash mid-create. */
export function decideCreateIntent(
  current: Task | undefined,
  namespace: string,
  containerId: string,
  io: TaskIoState,
): NewEvent[] {
  if (isLive(current)) {
    throw alreadyExists(
      `container "${containerId}" already has a task (${current.status}) in namespace "${namespace}"`,
    );
  }
  return [{ topic: internal.createIntent, event: { container_id: containerId, io } }];
}

/** The outcome of a create the runtime accepted. */
export function decideCreated(
  task: Task,
  outcome: { pid: number; bundle: string; rootfs: readonly unknown[]; stdinFifo?: string },
): NewEvent[] {
  requireStatus(task, ['creating'], 'complete the creation of');
  return [
    {
      topic: topics.create,
      event: {
        container_id: task.containerId,
        bundle: outcome.bundle,
        rootfs: outcome.rootfs,
        io: withStdinFifo(task.io, outcome.stdinFifo),
        checkpoint: '',
        pid: outcome.pid,
      },
    },
  ];
}

/** An open stdin's io, with the FIFO the runtime holds for it as its stdin (as containerd shows). */
export const withStdinFifo = (io: TaskIoState, fifo: string | undefined): TaskIoState =>
  fifo === undefined ? io : { ...io, stdin: fifo };

/** The outcome of a create the runtime refused. */
export function decideCreateFailed(task: Task, error: string): NewEvent[] {
  requireStatus(task, ['creating'], 'fail the creation of');
  return [{ topic: internal.createFailed, event: { container_id: task.containerId, error } }];
}

/** Checks a start is allowed (the runtime acts, then {@link decideStarted} records it). */
export function checkStart(task: Task): void {
  requireStatus(task, ['created'], 'start');
}

/** Records a started init process. */
export function decideStarted(task: Task, pid: number): NewEvent[] {
  return [{ topic: topics.start, event: { container_id: task.containerId, pid } }];
}

/** Records a process exit unless it is already recorded (exits are reported more than once on recovery). */
export function decideExit(
  task: Task | undefined,
  exit: { execId: string; pid: number; status: number; exitedAt: string },
): NewEvent[] {
  if (!isLive(task) || task.status === 'creating') return [];
  if (exit.execId === task.containerId) {
    if (task.status === 'stopped' || task.status === 'deleting') return [];
  } else {
    const x = task.execs[exit.execId];
    if (!x || x.status === 'stopped') return [];
  }
  return [
    {
      topic: topics.exit,
      event: {
        container_id: task.containerId,
        id: exit.execId,
        pid: exit.pid,
        exit_status: exit.status,
        exited_at: exit.exitedAt,
      },
    },
  ];
}

/** Checks pause is allowed. */
export function decidePaused(task: Task): NewEvent[] {
  requireStatus(task, ['running'], 'pause');
  return [{ topic: topics.paused, event: { container_id: task.containerId } }];
}

/** Checks resume is allowed. */
export function decideResumed(task: Task): NewEvent[] {
  requireStatus(task, ['paused'], 'resume');
  return [{ topic: topics.resumed, event: { container_id: task.containerId } }];
}

/**
 * Records new cgroup limits applied to a live task (containerd's Tasks/Update, which has no event
 * topic of its own: a taskledger-only fact, kept for the audit trail).
 */
export function decideUpdated(
  task: Task,
  resources: Readonly<Record<string, unknown>>,
): NewEvent[] {
  requireStatus(task, ['created', 'running', 'paused'], 'update');
  return [{ topic: internal.updated, event: { container_id: task.containerId, resources } }];
}

/** Records an OOM kill. */
export function decideOom(task: Task | undefined): NewEvent[] {
  if (!isLive(task)) return [];
  return [{ topic: topics.oom, event: { container_id: task.containerId } }];
}

/** Adds an exec process; the task must be running and the exec id unused. */
export function decideExecAdded(
  task: Task,
  execId: unknown,
  process: Record<string, unknown>,
  io: TaskIoState,
): NewEvent[] {
  const id = validateIdentifier(execId, 'exec id');
  requireStatus(task, ['running'], `exec "${id}" in`);
  if (task.execs[id])
    throw alreadyExists(`exec "${id}" already exists in task "${task.containerId}"`);
  return [
    {
      topic: topics.execAdded,
      event: { container_id: task.containerId, exec_id: id, process, io },
    },
  ];
}

/** Finds an exec; NotFound when absent. */
export function requireExec(task: Task, execId: string): ExecState {
  const x = task.execs[execId];
  if (!x) throw notFound(`exec "${execId}" not found in task "${task.containerId}"`);
  return x;
}

/** Records a started exec. */
export function decideExecStarted(task: Task, execId: string, pid: number): NewEvent[] {
  const x = requireExec(task, execId);
  if (x.status !== 'created')
    throw failedPrecondition(`cannot start exec "${execId}": it is ${x.status}`);
  return [
    { topic: topics.execStarted, event: { container_id: task.containerId, exec_id: execId, pid } },
  ];
}

/** Removes a stopped exec. */
export function decideExecDeleted(task: Task, execId: string): NewEvent[] {
  const x = requireExec(task, execId);
  if (x.status === 'running')
    throw failedPrecondition(`cannot delete exec "${execId}": it is running`);
  return [
    {
      topic: internal.execDeleted,
      event: {
        container_id: task.containerId,
        exec_id: execId,
        exit_status: x.exitStatus,
        exited_at: x.exitedAt,
      },
    },
  ];
}

/** The delete intent: the task must have stopped. */
export function decideDeleteIntent(task: Task): NewEvent[] {
  requireStatus(task, ['stopped', 'deleting'], 'delete');
  if (task.status === 'deleting') return [];
  return [{ topic: internal.deleteIntent, event: { container_id: task.containerId } }];
}

/** The outcome of a delete: containerd's TaskDelete. */
export function decideDeleted(task: Task, exit: { status: number; exitedAt: string }): NewEvent[] {
  return [
    {
      topic: topics.delete,
      event: {
        container_id: task.containerId,
        pid: task.pid,
        exit_status: exit.status,
        exited_at: exit.exitedAt,
        id: task.containerId,
      },
    },
  ];
}

/** Drops the record of a failed create (when the container goes, or a new task replaces it). */
export function decideForget(task: Task | undefined): NewEvent[] {
  if (!task || task.status !== 'failed') return [];
  return [{ topic: internal.forgotten, event: { container_id: task.containerId } }];
}
