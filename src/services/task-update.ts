import type { EventCause } from '../domain/event-envelope.ts';
import { validateResources } from '../domain/linux-resources.ts';
import * as decide from '../domain/task-decide.ts';
import type { Task } from '../domain/task-state.ts';
import { taskKey, type TaskContext } from './task-context.ts';

/**
 * Applies new cgroup limits to a live task (containerd's Tasks/Update, `runc update`), then
 * records them. Like pause, the runtime acts first and the event follows: a refused update (runc's
 * own checks, a limit the kernel rejects) records nothing; runc puts back the values it had
 * written, and its message says so when it cannot.
 */
export async function updateTaskResources(
  ctx: TaskContext,
  ns: string,
  id: string,
  rawResources: unknown,
  cause: EventCause,
): Promise<Task> {
  const resources = validateResources(rawResources);
  return ctx.mutex.run(taskKey(ns, id), async () => {
    decide.decideUpdated(decide.requireTask(ctx.load(ns, id), ns, id), resources);
    await (await ctx.handle(ns, id)).update(resources);
    return ctx.record(
      ns,
      id,
      (t) => decide.decideUpdated(decide.requireTask(t, ns, id), resources),
      cause,
    )!;
  });
}
