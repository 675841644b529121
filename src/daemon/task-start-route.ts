import { parseTimestampNs } from '../domain/timestamp.ts';
import type { Clock } from '../ports/clock.ts';
import type { TaskService } from '../services/task-service.ts';
import type { ApiRequest, ApiResponse, Route } from './http-router.ts';
import { writeLine } from './ndjson.ts';
import { queryFlag } from './request-body.ts';
import { openTaskLog } from './task-log.ts';
import { taskToJson } from './task-json.ts';
import { untilOf, type RemovalWait } from './task-wait-route.ts';

/**
 * `POST /v1/tasks/:id/start`: starts the task and answers with it.
 *
 * With `attach=true` the answer streams the process's life as NDJSON, as Docker's attach and
 * start do in two requests: `{"task": ...}` once it runs, `{"log": RECORD}` for each record of
 * its log, then `{"exit": ...}` (with `until=removed`, once its container is gone too: a
 * `run --rm`). The log reader and the wait are in place before the start, so a process that
 * ends at once cannot slip by; one request does what a wait, a log follow and a start did. A
 * start that fails answers with its error, as without `attach`; nothing was left listening.
 */
export function startRoute(tasks: TaskService, clock: Clock, removed: RemovalWait): Route {
  return {
    method: 'POST',
    pattern: '/v1/tasks/:id/start',
    async handler(req) {
      const id = req.params.id!;
      if (!queryFlag(req.query, 'attach')) {
        return { body: taskToJson(await tasks.start(req.namespace, id, req.cause)) };
      }
      const until = untilOf(req.query.get('until')) ?? 'exit';
      return startAttached({ tasks, clock, removed }, req, id, until);
    },
  };
}

/**
 * Starts a created task with its log and its exit in the answer (see {@link startRoute}): the
 * log reader and the wait are set up first, then the task starts; a start that fails throws,
 * nothing left listening. Also the last step of `POST /v1/run`.
 */
export async function startAttached(
  deps: { tasks: TaskService; clock: Clock; removed: RemovalWait },
  req: Pick<ApiRequest, 'namespace' | 'signal' | 'cause'>,
  id: string,
  until: 'exit' | 'removed',
): Promise<ApiResponse> {
  const { tasks, clock, removed } = deps;
  const { namespace: ns } = req;
  // Ends the reading if the start fails (the follower closes the log as it sees it).
  const reading = new AbortController();
  const stop = (): void => reading.abort();
  req.signal.addEventListener('abort', stop, { once: true });
  const records = await openTaskLog(tasks, ns, id, {
    follow: true,
    signal: reading.signal,
    now: () => parseTimestampNs(clock.now()),
  });
  const exited = tasks.wait(ns, id, undefined, req.signal);
  exited.catch(() => undefined); // read once the output is drained, or dropped with it
  let task;
  try {
    task = await tasks.start(ns, id, req.cause);
  } catch (error) {
    stop();
    for await (const record of records) void record; // runs the follower's cleanup
    req.signal.removeEventListener('abort', stop);
    throw error;
  }
  return {
    async stream(res) {
      try {
        if (!(await writeLine(res, { task: taskToJson(task) }))) return;
        for await (const log of records) if (!(await writeLine(res, { log }))) return;
        const exit = await exited;
        if (until === 'removed') await removed(ns, id, req.signal);
        await writeLine(res, { exit });
        res.end();
      } finally {
        req.signal.removeEventListener('abort', stop);
      }
    },
  };
}
