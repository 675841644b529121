import type { EventCause, NewEvent } from '../domain/event-envelope.ts';
import * as decide from '../domain/task-decide.ts';
import { taskProjection } from '../domain/task-projection.ts';
import { unknownExitStatus, type Task } from '../domain/task-state.ts';
import { taskTopics } from '../domain/task-topics.ts';
import type { InventoryEntry } from '../ports/runtime.ts';
import { taskKey, type TaskContext } from './task-context.ts';

/** What a restart found and did, for the daemon's log and for tests. */
export interface RecoveryReport {
  /** Tasks whose runtime state was found and re-attached. */
  readonly reattached: string[];
  /** Tasks whose runtime state was gone: recorded as exited with 255. */
  readonly lost: string[];
  /** Creates and deletes cut in the middle, resolved one way or the other. */
  readonly resolved: string[];
  /** runc containers no task knows of, removed. */
  readonly orphans: string[];
}

/** The cause recorded on the events recovery appends. */
export const recoveryCause = (): EventCause => ({
  correlationId: `recovery-${Date.now().toString(36)}`,
  source: 'daemon recovery',
});

/**
 * Reconciles the log with the runtime before the daemon serves: re-attaches live tasks, records
 * state changes the log missed (started, paused) and exits with no monitor record (255, lost),
 * resolves intents without an outcome, and removes runc containers that no task owns. Exits the
 * monitors did record are left to the runtime's event replay, which carries the real status and time.
 */
export async function recoverTasks(ctx: TaskContext): Promise<RecoveryReport> {
  const report = {
    reattached: [] as string[],
    lost: [] as string[],
    resolved: [] as string[],
    orphans: [] as string[],
  };
  const cause = recoveryCause();
  // One listing for all tasks: a runc call per task made restart time grow with the task count.
  const runtimeTasks = new Map(
    (await ctx.runtime.inventory()).map((entry) => [
      taskKey(entry.task.namespace, entry.task.id),
      entry,
    ]),
  );
  for (const task of ctx.store.list(taskProjection)) {
    const key = taskKey(task.namespace, task.containerId);
    const entry = runtimeTasks.get(key);
    runtimeTasks.delete(key);
    await ctx.mutex.run(key, () => recoverOne(ctx, task, entry, cause, report));
  }
  for (const [key, { task: rt }] of runtimeTasks) {
    // Under our private runc root, yet unknown to the log: a create that never got its intent
    // recorded, or a leftover. Either way nothing can use it.
    ctx.log(`recovery: removing orphan runtime task ${key}`);
    await ctx.runtime.discard(rt);
    report.orphans.push(key);
  }
  return report;
}

async function recoverOne(
  ctx: TaskContext,
  task: Task,
  entry: InventoryEntry | undefined,
  cause: EventCause,
  report: RecoveryReport,
): Promise<void> {
  const rt = entry?.task;
  const ns = task.namespace;
  const id = task.containerId;
  const key = taskKey(ns, id);
  const record = (decider: (t: Task) => NewEvent[]): void => {
    ctx.record(ns, id, (t) => (t ? decider(t) : []), cause);
  };
  switch (task.status) {
    case 'failed':
      if (rt) await ctx.runtime.discard(rt);
      return;
    case 'creating':
      // The intent has no outcome: the daemon died inside create. Roll back whatever runc got.
      if (rt) await ctx.runtime.discard(rt);
      record((t) =>
        decide.decideCreateFailed(
          t,
          'the daemon stopped while creating the task; rolled back on restart',
        ),
      );
      report.resolved.push(key);
      return;
    case 'deleting': {
      const exit = rt
        ? await ctx.runtime.delete(rt).catch(async () => (await ctx.runtime.discard(rt), undefined))
        : undefined;
      record((t) =>
        decide.decideDeleted(t, {
          status: t.exitStatus ?? exit?.status ?? unknownExitStatus,
          exitedAt: t.exitedAt ?? exit?.timestamp ?? ctx.clock.now(),
        }),
      );
      report.resolved.push(key);
      return;
    }
    default:
      break;
  }
  const status = entry?.status ?? 'unknown';
  const recorded = entry?.exit;
  if (!rt || (status === 'unknown' && !recorded)) {
    // No runc container and no monitor record: the host rebooted or the state was wiped.
    if (rt) await ctx.runtime.discard(rt);
    ctx.handles.delete(key);
    if (task.status !== 'stopped') {
      record((t) => lostExit(t, ctx.clock.now()));
      report.lost.push(key);
    }
    return;
  }
  ctx.handles.set(key, rt);
  for (const execId of Object.keys(task.execs)) {
    const p = rt.process(execId);
    if (p) ctx.execHandles.set(`${key}/${execId}`, p);
  }
  if (!recorded) {
    // The runtime moved on while the log did not (the daemon died between runc and the append).
    if (status === 'running' && task.status === 'created')
      record((t) => decide.decideStarted(t, rt.pid));
    if (status === 'paused' && task.status === 'running') record((t) => decide.decidePaused(t));
    if (status === 'running' && task.status === 'paused') record((t) => decide.decideResumed(t));
  }
  report.reattached.push(key);
}

/** `/tasks/exit` with containerd's 255 for a process whose end nobody recorded, and why. */
function lostExit(task: Task, now: string): NewEvent[] {
  const events: NewEvent[] = [];
  for (const x of Object.values(task.execs)) {
    if (x.status === 'running') {
      events.push({
        topic: taskTopics.exit,
        event: {
          container_id: task.containerId,
          id: x.execId,
          pid: x.pid,
          exit_status: unknownExitStatus,
          exited_at: now,
          reason: lostReason,
        },
      });
    }
  }
  events.push({
    topic: taskTopics.exit,
    event: {
      container_id: task.containerId,
      id: task.containerId,
      pid: task.pid,
      exit_status: unknownExitStatus,
      exited_at: now,
      reason: lostReason,
    },
  });
  return events;
}

const lostReason = 'runtime state lost: no runc container and no monitor record (host reboot?)';
