import type { StoredEvent } from './event-envelope.ts';
import type { ExecState, Task, TaskIoState } from './task-state.ts';
import { taskInternalTopics as internal, taskTopics as topics } from './task-topics.ts';

/** The stream a container's task events live in (every task the container ever had). */
export function taskStreamId(namespace: string, containerId: string): string {
  return `task/${namespace}/${containerId}`;
}

/** Reads the io object of an event payload. */
export function ioOf(value: unknown): TaskIoState {
  const io = (value ?? {}) as Partial<TaskIoState>;
  return {
    stdin: io.stdin ?? '',
    stdout: io.stdout ?? '',
    stderr: io.stderr ?? '',
    terminal: io.terminal ?? false,
    ...(io.openStdin === true ? { openStdin: true } : {}),
  };
}

/** Applies one stored event of a task stream to the task's state. */
export function evolveTask(state: Task | undefined, e: StoredEvent): Task | undefined {
  const p = e.event;
  const at = e.timestamp;
  switch (e.topic) {
    case internal.createIntent:
      return {
        namespace: e.namespace,
        containerId: p.container_id as string,
        status: 'creating',
        pid: 0,
        bundle: '',
        io: ioOf(p.io),
        exitStatus: null,
        exitedAt: null,
        error: '',
        oomKilled: false,
        createdAt: at,
        updatedAt: at,
        execs: {},
      };
    case topics.create:
      return (
        state && {
          ...state,
          status: 'created',
          pid: p.pid as number,
          bundle: p.bundle as string,
          // The runtime's FIFO of an open stdin is known once it created the task.
          io: p.io === undefined ? state.io : ioOf(p.io),
          updatedAt: at,
        }
      );
    case internal.createFailed:
      return state && { ...state, status: 'failed', error: p.error as string, updatedAt: at };
    case topics.start:
      return state && { ...state, status: 'running', pid: p.pid as number, updatedAt: at };
    case topics.paused:
      return state && { ...state, status: 'paused', updatedAt: at };
    case topics.resumed:
      return state && { ...state, status: 'running', updatedAt: at };
    case topics.oom:
      return state && { ...state, oomKilled: true, updatedAt: at };
    case internal.updated:
      return state && { ...state, updatedAt: at };
    case topics.exit:
      if (!state) return state;
      if (p.id === state.containerId) {
        return {
          ...state,
          status: 'stopped',
          exitStatus: p.exit_status as number,
          exitedAt: p.exited_at as string,
          updatedAt: at,
        };
      }
      return withExec(state, p.id as string, at, (x) => ({
        ...x,
        status: 'stopped',
        exitStatus: p.exit_status as number,
        exitedAt: p.exited_at as string,
      }));
    case topics.execAdded:
      if (!state) return state;
      return {
        ...state,
        updatedAt: at,
        execs: {
          ...state.execs,
          [p.exec_id as string]: {
            execId: p.exec_id as string,
            status: 'created',
            pid: 0,
            process: (p.process ?? {}) as Record<string, unknown>,
            io: ioOf(p.io),
            exitStatus: null,
            exitedAt: null,
          },
        },
      };
    case topics.execStarted:
      return (
        state &&
        withExec(state, p.exec_id as string, at, (x) => ({
          ...x,
          status: 'running',
          pid: p.pid as number,
        }))
      );
    case internal.execDeleted: {
      if (!state) return state;
      const execs = { ...state.execs };
      delete execs[p.exec_id as string];
      return { ...state, execs, updatedAt: at };
    }
    case internal.deleteIntent:
      return state && { ...state, status: 'deleting', updatedAt: at };
    case topics.delete:
    case internal.forgotten:
      return undefined;
    default:
      return state;
  }
}

function withExec(
  state: Task,
  execId: string,
  at: string,
  change: (x: ExecState) => ExecState,
): Task {
  const x = state.execs[execId];
  if (!x) return state;
  return { ...state, updatedAt: at, execs: { ...state.execs, [execId]: change(x) } };
}
