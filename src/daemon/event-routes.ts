import type { EventJson } from '../api/wire-types.ts';
import { failedPrecondition, invalidArgument } from '../domain/errors.ts';
import type { StoredEvent } from '../domain/event-envelope.ts';
import { eventPredicate } from '../domain/event-filter.ts';
import { formatTimestampNs, parseTimestampNs } from '../domain/timestamp.ts';
import type { EventStore } from '../ports/event-store.ts';
import type { EventBus } from '../services/event-bus.ts';
import type { Route } from './http-router.ts';
import { writeLine } from './ndjson.ts';
import { queryFlag } from './request-body.ts';

/** Maps a stored event to its API shape. */
export function eventToJson(e: StoredEvent): EventJson {
  return {
    seq: e.seq,
    timestamp: e.timestamp,
    namespace: e.namespace,
    topic: e.topic,
    event: e.event,
    stream_id: e.streamId,
    stream_version: e.streamVersion,
    correlation_id: e.correlationId,
    source: e.source,
    hash: e.hash,
  };
}

/**
 * Resolves `--since` (a seq, inclusive, or an RFC 3339 time) into "after this seq", and `--until`
 * (a seq or a time, inclusive) into "up to this seq". Without `since`, reading starts at the first
 * kept event; a `since` that reaches into compacted history is FailedPrecondition (the reader
 * would silently miss events). An `until` time before the compaction point resolves to a seq
 * before it, which {@link EventStore.stateAt} refuses.
 */
export function resolveRange(
  store: EventStore,
  since: string | null,
  until: string | null,
): { afterSeq: number; untilSeq: number | undefined } {
  const firstAtOrAfter = (ns: bigint): number =>
    store.readAll({ since: formatTimestampNs(ns), limit: 1 })[0]?.seq ?? store.lastSeq() + 1;
  const point = (text: string, what: string): { seq?: number; ns?: bigint } => {
    if (/^\d+$/.test(text)) return { seq: Number(text) };
    try {
      return { ns: parseTimestampNs(text) };
    } catch {
      throw invalidArgument(
        `${what} must be a sequence number or an RFC 3339 time, got ${JSON.stringify(text)}`,
      );
    }
  };
  const mark = store.compaction();
  const markNs = mark && parseTimestampNs(mark.timestamp);
  let afterSeq = mark?.seq ?? 0;
  if (since) {
    const p = point(since, 'since');
    const compacted = mark && (p.seq !== undefined ? p.seq <= mark.seq : p.ns! <= markNs!);
    if (compacted) {
      throw failedPrecondition(
        `events up to seq ${mark.seq} (${mark.timestamp}) were compacted: since ${since} asks for deleted history; the log starts at seq ${mark.seq + 1}`,
      );
    }
    afterSeq = p.seq !== undefined ? Math.max(0, p.seq - 1) : firstAtOrAfter(p.ns!) - 1;
  }
  let untilSeq: number | undefined;
  if (until) {
    const p = point(until, 'until');
    // A time before the cut lands somewhere in compacted history: any seq before it says so.
    if (p.seq !== undefined) untilSeq = p.seq;
    else if (mark && p.ns! < markNs!) untilSeq = mark.seq - 1;
    else untilSeq = firstAtOrAfter(p.ns! + 1n) - 1;
  }
  return { afterSeq, untilSeq };
}

/** `GET /v1/events`: the log as NDJSON, filtered; with `follow`, then live events. */
export function eventRoutes(store: EventStore, bus: EventBus): Route[] {
  return [
    {
      method: 'GET',
      pattern: '/v1/events',
      handler(req) {
        const predicate = eventPredicate(req.query.getAll('filter'));
        const follow = queryFlag(req.query, 'follow');
        const range = resolveRange(store, req.query.get('since'), req.query.get('until'));
        const mark = store.compaction();
        if (mark && range.untilSeq !== undefined && range.untilSeq <= mark.seq) {
          throw failedPrecondition(
            `events up to seq ${mark.seq} were compacted: nothing is left up to ${req.query.get('until')}`,
          );
        }
        // Without follow, the answer is the log as it is now.
        const untilSeq = follow
          ? range.untilSeq
          : Math.min(range.untilSeq ?? Infinity, store.lastSeq());
        return {
          async stream(res) {
            if (untilSeq !== undefined && untilSeq <= range.afterSeq) {
              res.end();
              return;
            }
            await bus.consume(
              { afterSeq: range.afterSeq, untilSeq, predicate, signal: req.signal },
              async (e) => {
                await writeLine(res, eventToJson(e));
              },
            );
            res.end();
          },
        };
      },
    },
  ];
}
