import type { EventCause } from '../domain/event-envelope.ts';
import type { Task } from '../domain/task-state.ts';
import type { AppendRequest } from '../ports/event-store.ts';
import type { RuntimeEvent, RuntimeTask, TaskMetrics } from '../ports/runtime.ts';
import type { RecoveryReport } from './task-recovery.ts';

/** What `delete` and `wait` return: containerd's exit. */
export interface ExitResult {
  readonly exit_status: number;
  readonly exited_at: string;
  readonly pid: number;
}

/** The task service: containerd's task lifecycle over the runtime, every step an event. */
export interface TaskService {
  /** Creates the container's task (intent, runtime create, outcome). */
  create(ns: string, containerId: string, io: unknown, cause: EventCause): Promise<Task>;
  /** Starts the created init process. */
  start(ns: string, containerId: string, cause: EventCause): Promise<Task>;
  /** Sends a signal to the init process (or all processes), or to an exec. */
  kill(
    ns: string,
    containerId: string,
    options: { signal?: unknown; all?: boolean; execId?: string },
  ): Promise<void>;
  /** Freezes the task. */
  pause(ns: string, containerId: string, cause: EventCause): Promise<Task>;
  /** Thaws the task. */
  resume(ns: string, containerId: string, cause: EventCause): Promise<Task>;
  /** Adds an exec process (not started). */
  exec(
    ns: string,
    containerId: string,
    request: { execId: unknown; process: unknown; io: unknown },
    cause: EventCause,
  ): Promise<Task>;
  /** Starts an added exec; resolves with its pid. */
  startExec(ns: string, containerId: string, execId: string, cause: EventCause): Promise<number>;
  /** Removes a stopped exec and returns its exit. */
  deleteExec(
    ns: string,
    containerId: string,
    execId: string,
    cause: EventCause,
  ): Promise<ExitResult>;
  /**
   * Deletes a stopped task (or, with force, kills and waits first); returns its exit. `also`
   * gives what to append in the same transaction as its `/tasks/delete` (its container's
   * deletion, for the auto-remover); it is asked once the task's runtime state is gone.
   */
  delete(
    ns: string,
    containerId: string,
    options: { force?: boolean; also?: () => readonly AppendRequest[] },
    cause: EventCause,
  ): Promise<ExitResult>;
  /** Resolves when the init process (or the exec) has exited. */
  wait(
    ns: string,
    containerId: string,
    execId: string | undefined,
    signal: AbortSignal,
  ): Promise<ExitResult>;
  /**
   * Resizes the terminal of the init process or of an exec; a process without a terminal or not
   * running is left alone, as containerd's shim does. InvalidArgument for a size out of range.
   */
  resize(
    ns: string,
    containerId: string,
    execId: string | undefined,
    size: { width?: unknown; height?: unknown },
  ): Promise<void>;
  /**
   * Applies new cgroup limits (an OCI `LinuxResources` object) to a created, running or paused
   * task and records them; InvalidArgument names a wrong field.
   */
  update(ns: string, containerId: string, resources: unknown, cause: EventCause): Promise<Task>;
  /** The task; NotFound when there is none. */
  get(ns: string, containerId: string): Task;
  /** Every task of a namespace, failed creates included. */
  list(ns: string): Task[];
  /** Pids of the task's processes. */
  pids(ns: string, containerId: string): Promise<number[]>;
  /** cgroup metrics. */
  metrics(ns: string, containerId: string): Promise<TaskMetrics>;
  /** The runtime handle (for logs). */
  runtimeTask(ns: string, containerId: string): Promise<RuntimeTask>;
  /** Records what the runtime reports (exits, OOMs) as events. */
  handleRuntimeEvent(event: RuntimeEvent): Promise<void>;
  /** Reconciles the log with the runtime after a restart; run before serving. */
  recover(): Promise<RecoveryReport>;
  /** Fails pending waits with Unavailable (the daemon is stopping). */
  close(): void;
}
