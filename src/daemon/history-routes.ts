import type { HistoryJson } from '../api/audit-types.ts';
import type { TaskJson } from '../api/client.ts';
import {
  buildHistory,
  type CompactedHistory,
  type ContainerHistory,
} from '../domain/container-history.ts';
import { containerStreamId } from '../domain/container.ts';
import { containerProjection } from '../domain/container-projection.ts';
import type { StoredEvent } from '../domain/event-envelope.ts';
import { validateIdentifier } from '../domain/identifiers.ts';
import { taskStreamId } from '../domain/task-evolve.ts';
import { taskProjection } from '../domain/task-projection.ts';
import type { EventStore } from '../ports/event-store.ts';
import { containerToJson } from './container-routes.ts';
import type { Route } from './http-router.ts';
import { taskToJson } from './task-json.ts';

/** `GET /v1/history/{id}`: a container's whole timeline, deleted or not. */
export function historyRoutes(store: EventStore): Route[] {
  return [
    {
      method: 'GET',
      pattern: '/v1/history/:id',
      handler(req) {
        const namespace = req.namespace;
        const id = validateIdentifier(req.params.id, 'container id');
        const streams = [containerStreamId(namespace, id), taskStreamId(namespace, id)];
        const events = streams.flatMap((s) => store.readStream(s));
        const compacted = compactedPart(store, namespace, id, streams, events);
        return { body: historyToJson(buildHistory({ namespace, id, events, compacted })) };
      },
    },
  ];
}

/**
 * What retention took from these streams: stream versions count from 1, so a stream whose first
 * kept event is version 5 lost 4 events (and one with none kept lost all it ever had).
 */
function compactedPart(
  store: EventStore,
  namespace: string,
  id: string,
  streams: readonly string[],
  events: readonly StoredEvent[],
): CompactedHistory | undefined {
  const mark = store.compaction();
  if (!mark) return undefined;
  let lost = 0;
  for (const stream of streams) {
    const first = events.find((e) => e.streamId === stream);
    lost += first ? first.streamVersion - 1 : store.streamVersion(stream);
  }
  if (lost === 0) return undefined;
  const at = <S extends { namespace: string }>(states: S[], key: (s: S) => string) =>
    states.find((s) => s.namespace === namespace && key(s) === id);
  return {
    throughSeq: mark.seq,
    throughTimestamp: mark.timestamp,
    events: lost,
    container: at(store.stateAt(containerProjection, mark.seq), (c) => c.id),
    task: at(store.stateAt(taskProjection, mark.seq), (t) => t.containerId),
  };
}

const ms = (ns: bigint | undefined): number | null => (ns === undefined ? null : Number(ns) / 1e6);

/** Maps a history to its API shape. */
export function historyToJson(h: ContainerHistory): HistoryJson {
  const c = h.compacted;
  return {
    id: h.id,
    namespace: h.namespace,
    exists: h.exists,
    created_at: h.createdAt ?? null,
    deleted_at: h.deletedAt ?? null,
    compacted: c
      ? {
          through_seq: c.throughSeq,
          through_timestamp: c.throughTimestamp,
          events: c.events,
          container: c.container ? containerToJson(c.container) : null,
          task: c.task ? (taskToJson(c.task) as TaskJson) : null,
        }
      : null,
    entries: h.entries.map((e) => ({
      seq: e.seq,
      timestamp: e.timestamp,
      topic: e.topic,
      subject: e.subject,
      exec_id: e.execId ?? null,
      summary: e.summary,
      since_created_ms: ms(e.sinceCreatedNs),
      duration_ms: ms(e.durationNs),
      source: e.source,
      correlation_id: e.correlationId,
      bookkeeping: e.bookkeeping,
      hidden: e.hidden,
      error: e.error ?? null,
      event: e.event,
    })),
  };
}
