import { invalidArgument } from '../domain/errors.ts';
import type { TaskService } from '../services/task-service.ts';
import type { Route } from './http-router.ts';
import { writeLine } from './ndjson.ts';

/** Resolves once a container is gone; rejects when its auto-removal failed (auto-remover.ts). */
export type RemovalWait = (namespace: string, id: string, signal: AbortSignal) => Promise<void>;

/** The `until` query parameter of a wait or an attached start: `exit`, `removed`, or none. */
export function untilOf(value: string | null): 'exit' | 'removed' | undefined {
  if (value === null) return undefined;
  if (value !== 'exit' && value !== 'removed')
    throw invalidArgument(`until must be "exit" or "removed", not "${value}"`);
  return value;
}

/**
 * `GET /v1/tasks/:id/wait`: the exit of the init process (or of `exec_id`) once the log has it.
 *
 * With `until=exit` or `until=removed`, the answer's headers go out at once and the exit follows
 * as one NDJSON line, as Docker's wait does: the client then knows its wait is registered before
 * it starts the task, so an exit, or a removal, that comes quickly cannot slip by. `removed`
 * answers only once the container is gone as well (a `run --rm`, whose container the daemon
 * removes, learns the status and that the id is free again); a failed removal ends it with an
 * error line.
 */
export function waitRoute(tasks: TaskService, removed: RemovalWait): Route {
  return {
    method: 'GET',
    pattern: '/v1/tasks/:id/wait',
    async handler(req) {
      const { namespace: ns } = req;
      const id = req.params.id!;
      const execId = req.query.get('exec_id') ?? undefined;
      const until = untilOf(req.query.get('until'));
      const exited = tasks.wait(ns, id, execId, req.signal);
      if (until === undefined) return { body: await exited };
      // A task or exec that does not exist rejects at once: answer with its status, not a stream.
      await Promise.race([exited, Promise.resolve()]);
      return {
        async stream(res) {
          const exit = await exited;
          if (until === 'removed') await removed(ns, id, req.signal);
          await writeLine(res, exit);
          res.end();
        },
      };
    },
  };
}
