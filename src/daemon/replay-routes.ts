import type { ReplayJson } from '../api/audit-types.ts';
import type { TaskJson } from '../api/client.ts';
import { containerProjection } from '../domain/container-projection.ts';
import { invalidArgument } from '../domain/errors.ts';
import { taskProjection } from '../domain/task-projection.ts';
import type { EventStore } from '../ports/event-store.ts';
import { containerToJson } from './container-routes.ts';
import { resolveRange } from './event-routes.ts';
import type { Route } from './http-router.ts';
import { taskToJson } from './task-json.ts';

/** `GET /v1/replay?until=SEQ|TIME`: the namespace's containers and tasks as they were then. */
export function replayRoutes(store: EventStore): Route[] {
  return [
    {
      method: 'GET',
      pattern: '/v1/replay',
      handler(req) {
        const until = req.query.get('until');
        if (!until) throw invalidArgument('replay needs until=SEQ|TIME');
        const { untilSeq = 0 } = resolveRange(store, null, until);
        // Past the end is now: the answer names the seq it really stopped at.
        const seq = Math.max(0, Math.min(untilSeq, store.lastSeq()));
        const ns = req.namespace;
        const containers = store
          .stateAt(containerProjection, seq)
          .filter((c) => c.namespace === ns)
          .sort((a, b) => compare(a.id, b.id));
        const tasks = store
          .stateAt(taskProjection, seq)
          .filter((t) => t.namespace === ns)
          .sort((a, b) => compare(a.containerId, b.containerId));
        const body: ReplayJson = {
          until_seq: seq,
          timestamp: timestampOf(store, seq),
          containers: containers.map(containerToJson),
          tasks: tasks.map((t) => taskToJson(t) as TaskJson),
        };
        return { body };
      },
    },
  ];
}

/** The time of event `seq`: the snapshot's at the compaction point, null for the empty log. */
function timestampOf(store: EventStore, seq: number): string | null {
  if (seq === 0) return null;
  const mark = store.compaction();
  if (mark?.seq === seq) return mark.timestamp;
  return store.readAll({ afterSeq: seq - 1, limit: 1 })[0]?.timestamp ?? null;
}

/** The order SQLite's `order by` gives the live lists (binary, by code unit). */
function compare(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
