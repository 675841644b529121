import { parseStreamId, type Projection, type ProjectionRow } from './projection.ts';
import { evolveTask } from './task-evolve.ts';
import type { ExecState, Task, TaskIoState, TaskStatus } from './task-state.ts';

/** The `tasks` table: one row per container that has a task (or a failed create). */
export const taskProjection: Projection<Task> = {
  name: 'tasks',
  version: 1,
  table: 'tasks',
  keyColumns: ['namespace', 'container_id'],
  columns: [
    'namespace',
    'container_id',
    'status',
    'pid',
    'bundle',
    'io',
    'exit_status',
    'exited_at',
    'error',
    'oom_killed',
    'created_at',
    'updated_at',
    'execs',
  ],
  keyOf(streamId) {
    const parsed = parseStreamId(streamId, 'task');
    return parsed && { namespace: parsed.namespace, container_id: parsed.id };
  },
  evolve: evolveTask,
  toRow(t): ProjectionRow {
    return {
      namespace: t.namespace,
      container_id: t.containerId,
      status: t.status,
      pid: t.pid,
      bundle: t.bundle,
      io: JSON.stringify(t.io),
      exit_status: t.exitStatus,
      exited_at: t.exitedAt,
      error: t.error,
      oom_killed: t.oomKilled ? 1 : 0,
      created_at: t.createdAt,
      updated_at: t.updatedAt,
      execs: JSON.stringify(t.execs),
    };
  },
  fromRow(row): Task {
    return {
      namespace: row.namespace as string,
      containerId: row.container_id as string,
      status: row.status as TaskStatus,
      pid: row.pid as number,
      bundle: row.bundle as string,
      io: JSON.parse(row.io as string) as TaskIoState,
      exitStatus: row.exit_status as number | null,
      exitedAt: row.exited_at as string | null,
      error: row.error as string,
      oomKilled: row.oom_killed === 1,
      createdAt: row.created_at as string,
      updatedAt: row.updated_at as string,
      execs: JSON.parse(row.execs as string) as Record<string, ExecState>,
    };
  },
};
