import type { ExecState, Task, TaskIoState, TaskStatus } from '../domain/task-state.ts';
import type { ExitResult } from '../services/task-service.ts';
import { toProtoTimestamp, type ProtoTimestamp } from './proto-timestamp.ts';

/** containerd's `containerd.v1.types.Status` enum values. */
export const processStatus = {
  UNKNOWN: 0,
  CREATED: 1,
  RUNNING: 2,
  STOPPED: 3,
  PAUSED: 4,
  PAUSING: 5,
} as const;

/** containerd's `containerd.v1.types.Process` message. */
export interface ProtoProcess {
  /** The container the process belongs to. */
  readonly container_id: string;
  /** The container id for the init process, the exec id for an exec (what `ctr tasks ls` prints). */
  readonly id: string;
  /** Host pid; 0 before the process exists. */
  readonly pid: number;
  /** One of {@link processStatus}. */
  readonly status: number;
  /** stdin path the client gave (a FIFO), the daemon's FIFO of an open stdin, or empty. */
  readonly stdin: string;
  /** stdout path the client gave, or empty. */
  readonly stdout: string;
  /** stderr path the client gave, or empty. */
  readonly stderr: string;
  /** Whether it has a pseudo-terminal. */
  readonly terminal: boolean;
  /** Exit status once stopped; 0 before. */
  readonly exit_status: number;
  /** Exit time once stopped; Go's zero time before. */
  readonly exited_at: ProtoTimestamp;
}

/** An exit as `Tasks/Delete` and `Tasks/DeleteProcess` answer it. */
export interface ProtoDeleteResponse {
  /** The exec id, or the container id for the task itself. */
  readonly id: string;
  /** Pid the process had. */
  readonly pid: number;
  /** Its exit status. */
  readonly exit_status: number;
  /** When it exited; Go's zero time when unknown. */
  readonly exited_at: ProtoTimestamp;
}

/**
 * A task state in containerd's terms. `creating` (runc create in flight) has no containerd
 * equivalent, so it is UNKNOWN; `deleting` has stopped, so it is STOPPED.
 */
export function statusOf(status: TaskStatus): number {
  switch (status) {
    case 'created':
      return processStatus.CREATED;
    case 'running':
      return processStatus.RUNNING;
    case 'paused':
      return processStatus.PAUSED;
    case 'stopped':
    case 'deleting':
      return processStatus.STOPPED;
    default:
      return processStatus.UNKNOWN;
  }
}

/** The stdio fields of a process message (`openStdin` has none: the FIFO is its `stdin`). */
const stdio = (
  io: TaskIoState,
): Pick<ProtoProcess, 'stdin' | 'stdout' | 'stderr' | 'terminal'> => ({
  stdin: io.stdin,
  stdout: io.stdout,
  stderr: io.stderr,
  terminal: io.terminal,
});

/** The init process of a task. */
export function taskToProcess(t: Task): ProtoProcess {
  return {
    container_id: t.containerId,
    id: t.containerId,
    pid: t.pid,
    status: statusOf(t.status),
    ...stdio(t.io),
    exit_status: t.exitStatus ?? 0,
    exited_at: toProtoTimestamp(t.exitedAt),
  };
}

/** An exec process of a task. */
export function execToProcess(t: Task, x: ExecState): ProtoProcess {
  return {
    container_id: t.containerId,
    id: x.execId,
    pid: x.pid,
    status: statusOf(x.status),
    ...stdio(x.io),
    exit_status: x.exitStatus ?? 0,
    exited_at: toProtoTimestamp(x.exitedAt),
  };
}

/** The answer of a delete: `id` is the exec id, or the container id for the task itself. */
export function deleteResponse(id: string, exit: ExitResult): ProtoDeleteResponse {
  return {
    id,
    pid: exit.pid,
    exit_status: exit.exit_status,
    exited_at: toProtoTimestamp(exit.exited_at),
  };
}
