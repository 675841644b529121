import type { ServerResponse } from 'node:http';
import { invalidArgument } from '../domain/errors.ts';
import { parseLogBound } from '../domain/log-window.ts';
import { parseTimestampNs } from '../domain/timestamp.ts';
import type { Clock } from '../ports/clock.ts';
import type { TaskService } from '../services/task-service.ts';
import type { Route } from './http-router.ts';
import { writeLine } from './ndjson.ts';
import { taskToJson } from './task-json.ts';
import { openTaskLog } from './task-log.ts';
import { startRoute } from './task-start-route.ts';
import { waitRoute, type RemovalWait } from './task-wait-route.ts';
import { objectBody, optionalField, queryFlag, taskIoFields } from './request-body.ts';

/**
 * The `/v1/tasks` routes; `clock` places `since`/`until` durations of the logs route, and
 * `removed` serves a wait `until=removed`.
 */
export function taskRoutes(tasks: TaskService, clock: Clock, removed: RemovalWait): Route[] {
  const optionalBody = (body: unknown, what: string): Record<string, unknown> =>
    body === undefined ? {} : objectBody(body, what);
  return [
    {
      method: 'POST',
      pattern: '/v1/tasks',
      async handler(req) {
        const body = objectBody(req.body, 'create task');
        const task = await tasks.create(
          req.namespace,
          body.container_id as string,
          taskIoFields(body),
          req.cause,
        );
        return { status: 201, body: taskToJson(task) };
      },
    },
    {
      method: 'GET',
      pattern: '/v1/tasks',
      handler: (req) => ({ body: tasks.list(req.namespace).map(taskToJson) }),
    },
    {
      method: 'GET',
      pattern: '/v1/tasks/:id',
      handler: (req) => ({ body: taskToJson(tasks.get(req.namespace, req.params.id!)) }),
    },
    startRoute(tasks, clock, removed),
    {
      method: 'POST',
      pattern: '/v1/tasks/:id/kill',
      async handler(req) {
        const body = optionalBody(req.body, 'kill task');
        await tasks.kill(req.namespace, req.params.id!, {
          signal: body.signal,
          all: optionalField<boolean>(body, 'all', 'boolean'),
          execId: optionalField<string>(body, 'exec_id', 'string'),
        });
        return { body: {} };
      },
    },
    {
      method: 'POST',
      pattern: '/v1/tasks/:id/resize',
      async handler(req) {
        const body = optionalBody(req.body, 'resize terminal');
        await tasks.resize(
          req.namespace,
          req.params.id!,
          optionalField<string>(body, 'exec_id', 'string'),
          body,
        );
        return { body: {} };
      },
    },
    {
      method: 'POST',
      pattern: '/v1/tasks/:id/update',
      async handler(req) {
        const body = objectBody(req.body, 'update task');
        return {
          body: taskToJson(
            await tasks.update(req.namespace, req.params.id!, body.resources, req.cause),
          ),
        };
      },
    },
    {
      method: 'POST',
      pattern: '/v1/tasks/:id/pause',
      async handler(req) {
        return { body: taskToJson(await tasks.pause(req.namespace, req.params.id!, req.cause)) };
      },
    },
    {
      method: 'POST',
      pattern: '/v1/tasks/:id/resume',
      async handler(req) {
        return { body: taskToJson(await tasks.resume(req.namespace, req.params.id!, req.cause)) };
      },
    },
    waitRoute(tasks, removed),
    {
      method: 'DELETE',
      pattern: '/v1/tasks/:id',
      async handler(req) {
        const force = queryFlag(req.query, 'force');
        return { body: await tasks.delete(req.namespace, req.params.id!, { force }, req.cause) };
      },
    },
    {
      method: 'GET',
      pattern: '/v1/tasks/:id/pids',
      async handler(req) {
        const pids = await tasks.pids(req.namespace, req.params.id!);
        return { body: pids.map((pid) => ({ pid })) };
      },
    },
    {
      method: 'GET',
      pattern: '/v1/tasks/:id/metrics',
      async handler(req) {
        return { body: await tasks.metrics(req.namespace, req.params.id!) };
      },
    },
    {
      method: 'POST',
      pattern: '/v1/tasks/:id/exec',
      async handler(req) {
        const body = objectBody(req.body, 'exec');
        const task = await tasks.exec(
          req.namespace,
          req.params.id!,
          {
            execId: body.exec_id,
            process: body.process,
            io: taskIoFields(body),
          },
          req.cause,
        );
        return { status: 201, body: taskToJson(task) };
      },
    },
    {
      method: 'POST',
      pattern: '/v1/tasks/:id/exec/:execId/start',
      async handler(req) {
        return {
          body: {
            pid: await tasks.startExec(
              req.namespace,
              req.params.id!,
              req.params.execId!,
              req.cause,
            ),
          },
        };
      },
    },
    {
      method: 'DELETE',
      pattern: '/v1/tasks/:id/exec/:execId',
      async handler(req) {
        return {
          body: await tasks.deleteExec(
            req.namespace,
            req.params.id!,
            req.params.execId!,
            req.cause,
          ),
        };
      },
    },
    {
      method: 'GET',
      pattern: '/v1/tasks/:id/logs',
      async handler(req) {
        const ns = req.namespace;
        const id = req.params.id!;
        const execId = req.query.get('exec_id') ?? undefined;
        const follow = queryFlag(req.query, 'follow');
        const tail = tailOf(req.query.get('tail'));
        const now = (): bigint => parseTimestampNs(clock.now());
        const requestedAt = now(); // both durations count back from the same instant
        const bound = (name: 'since' | 'until'): bigint | undefined => {
          const text = req.query.get(name);
          return text === null ? undefined : parseLogBound(text, requestedAt, name);
        };
        const since = bound('since');
        const until = bound('until');
        // Positioned before the answer starts: the client knows what comes next is in it.
        const records = await openTaskLog(tasks, ns, id, {
          execId,
          follow,
          signal: req.signal,
          tail,
          since,
          until,
          now,
        });
        return {
          async stream(res: ServerResponse) {
            for await (const record of records) {
              if (!(await writeLine(res, record))) return;
            }
            res.end();
          },
        };
      },
    },
  ];
}

/** The `tail` query parameter: how many of the lines already written to send first. */
function tailOf(value: string | null): number | undefined {
  if (value === null) return undefined;
  if (!/^\d{1,9}$/.test(value))
    throw invalidArgument(`tail must be a whole number of lines (0 or more), not "${value}"`);
  return Number(value);
}
