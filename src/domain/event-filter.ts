import type { StoredEvent } from './event-envelope.ts';
import { adaptObject, parseFilters, type FieldAdaptor } from './filter.ts';

/**
 * containerd's envelope adaptor: `topic`, `namespace`, and `event.FIELD...` into the payload;
 * taskledger adds `seq`, `stream_id`, `source` and `correlation_id` for audit queries.
 */
export function adaptEvent(e: StoredEvent): FieldAdaptor {
  const payload = adaptObject(e.event);
  return (path) => {
    const [head, ...rest] = path;
    if (rest.length === 0) {
      switch (head) {
        case 'topic':
          return e.topic;
        case 'namespace':
          return e.namespace;
        case 'seq':
          return String(e.seq);
        case 'stream_id':
          return e.streamId;
        case 'source':
          return e.source;
        case 'correlation_id':
          return e.correlationId;
      }
    }
    return head === 'event' && rest.length > 0 ? payload(rest) : undefined;
  };
}

/** A predicate over stored events from containerd filter expressions (OR'ed). */
export function eventPredicate(filters: readonly string[]): (e: StoredEvent) => boolean {
  const filter = parseFilters(filters);
  return (e) => filter.match(adaptEvent(e));
}
