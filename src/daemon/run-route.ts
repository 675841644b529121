import type { EventCause } from '../domain/event-envelope.ts';
import type { Clock } from '../ports/clock.ts';
import type { ContainerService } from '../services/container-service.ts';
import type { TaskService } from '../services/task-service.ts';
import { containerToJson, createContainerCommand } from './container-routes.ts';
import type { Route } from './http-router.ts';
import { objectBody, optionalField, queryFlag, taskIoFields } from './request-body.ts';
import { taskToJson } from './task-json.ts';
import { startAttached } from './task-start-route.ts';
import { untilOf, type RemovalWait } from './task-wait-route.ts';

/**
 * `POST /v1/run`: what `taskledger run` asks for, in one request. It creates the container (the
 * body's `container`, as `POST /v1/containers` takes it), creates its task with the body's stdio
 * fields (as `POST /v1/tasks`), and starts it unless `start` is false. With `attach=true` it
 * answers as an attached start does (`{"task"}`, `{"log"}`..., `{"exit"}`, see task-start-route.ts);
 * otherwise 201 with `{container, task}`. Each step is recorded as its own request would record
 * it. A step that fails answers with its error; with `remove_on_failure` (what `run --rm` asks),
 * what the steps before it made is removed first, else it stays, as after separate requests.
 * One request where there were three saves a command line what each costs on a cold start.
 */
export function runRoute(
  containers: ContainerService,
  tasks: TaskService,
  clock: Clock,
  removed: RemovalWait,
): Route {
  return {
    method: 'POST',
    pattern: '/v1/run',
    async handler(req) {
      const body = objectBody(req.body, 'run');
      const command = createContainerCommand(body.container, 'run.container');
      const start = optionalField<boolean>(body, 'start', 'boolean') ?? true;
      const attach = queryFlag(req.query, 'attach');
      const until = untilOf(req.query.get('until')) ?? 'exit';
      const removeOnFailure = optionalField<boolean>(body, 'remove_on_failure', 'boolean') ?? false;
      const { namespace: ns, cause } = req;
      const container = containers.create(ns, command, cause);
      const { id } = container;
      try {
        const created = await tasks.create(ns, id, taskIoFields(body), cause);
        if (attach && start) return await startAttached({ tasks, clock, removed }, req, id, until);
        const task = start ? await tasks.start(ns, id, cause) : created;
        return {
          status: 201,
          body: { container: containerToJson(container), task: taskToJson(task) },
        };
      } catch (error) {
        // Nothing ran: what this request made goes, unless the caller wants to look at it.
        if (removeOnFailure) await removeQuietly(containers, tasks, ns, id, cause);
        throw error;
      }
    },
  };
}

/** Deletes a task (by force) and its container, whatever is left of them. */
async function removeQuietly(
  containers: ContainerService,
  tasks: TaskService,
  ns: string,
  id: string,
  cause: EventCause,
): Promise<void> {
  await tasks.delete(ns, id, { force: true }, cause).catch(() => undefined);
  try {
    containers.delete(ns, id, cause);
  } catch {
    // Gone already: auto-removal takes a labelled container whose task failed to create.
  }
}
