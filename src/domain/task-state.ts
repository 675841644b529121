import type { Timestamp } from './timestamp.ts';

/** Task states: containerd's, plus `creating`/`deleting` while an intent awaits its outcome, and `failed` when create failed. */
export const taskStatuses = [
  'creating',
  'created',
  'running',
  'paused',
  'stopped',
  'deleting',
  'failed',
] as const;

/** One of {@link taskStatuses}. */
export type TaskStatus = (typeof taskStatuses)[number];

/** States of an extra (exec) process. */
export const processStatuses = ['created', 'running', 'stopped'] as const;

/** One of {@link processStatuses}. */
export type ProcessStatus = (typeof processStatuses)[number];

/** Standard streams as the client gave them (paths; empty = not given). */
export interface TaskIoState {
  /** stdin path, or empty. */
  readonly stdin: string;
  /** stdout path, or empty. */
  readonly stdout: string;
  /** stderr path, or empty. */
  readonly stderr: string;
  /** Whether a terminal was asked for. */
  readonly terminal: boolean;
  /**
   * Whether stdin stays open for attach clients (`run -d -i`), Docker's `OpenStdin`: the
   * runtime holds a FIFO (then `stdin`) that clients write to, and no client's leaving ends it.
   * Absent when not, so that rows and events from before it read the same.
   */
  readonly openStdin?: true;
}

/** An exec process of a task. */
export interface ExecState {
  /** The exec id. */
  readonly execId: string;
  /** Its state. */
  readonly status: ProcessStatus;
  /** Its pid (0 before start). */
  readonly pid: number;
  /** The OCI process spec it runs. */
  readonly process: Record<string, unknown>;
  /** Its standard streams. */
  readonly io: TaskIoState;
  /** Exit status, once exited. */
  readonly exitStatus: number | null;
  /** Exit time, once exited. */
  readonly exitedAt: Timestamp | null;
}

/** A task: the running form of a container (one per container at a time). */
export interface Task {
  /** Namespace it lives in. */
  readonly namespace: string;
  /** The container it runs. */
  readonly containerId: string;
  /** Lifecycle state. */
  readonly status: TaskStatus;
  /** Pid of the init process (0 before create succeeds). */
  readonly pid: number;
  /** The OCI bundle directory. */
  readonly bundle: string;
  /** Standard streams as the client gave them. */
  readonly io: TaskIoState;
  /** Exit status of the init process, once exited. */
  readonly exitStatus: number | null;
  /** Exit time of the init process, once exited. */
  readonly exitedAt: Timestamp | null;
  /** Why create failed, for `failed` tasks. */
  readonly error: string;
  /** Whether the kernel's OOM killer hit the task. */
  readonly oomKilled: boolean;
  /** When its create intent was recorded. */
  readonly createdAt: Timestamp;
  /** When it last changed. */
  readonly updatedAt: Timestamp;
  /** Exec processes by exec id, in the order they were added. */
  readonly execs: Readonly<Record<string, ExecState>>;
}

/** True while a task holds runtime resources that a container delete must not pull away. */
export function isLive(task: Task | undefined): task is Task {
  return task !== undefined && task.status !== 'failed';
}

/** The exit status containerd reports when the real one cannot be known (monitor and runtime state gone). */
export const unknownExitStatus = 255;
