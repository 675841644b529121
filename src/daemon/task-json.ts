import type { Task } from '../domain/task-state.ts';

/** Maps a task to its API shape (containerd's Process fields plus taskledger's). */
export function taskToJson(t: Task): Record<string, unknown> {
  return {
    id: t.containerId,
    container_id: t.containerId,
    namespace: t.namespace,
    status: t.status,
    pid: t.pid,
    bundle: t.bundle,
    stdin: t.io.stdin,
    stdout: t.io.stdout,
    stderr: t.io.stderr,
    terminal: t.io.terminal,
    open_stdin: t.io.openStdin === true,
    exit_status: t.exitStatus,
    exited_at: t.exitedAt,
    error: t.error,
    oom_killed: t.oomKilled,
    created_at: t.createdAt,
    updated_at: t.updatedAt,
    execs: Object.values(t.execs).map((x) => ({
      exec_id: x.execId,
      status: x.status,
      pid: x.pid,
      stdin: x.io.stdin,
      terminal: x.io.terminal,
      open_stdin: x.io.openStdin === true,
      exit_status: x.exitStatus,
      exited_at: x.exitedAt,
    })),
  };
}
