import type { StoredEvent } from '../domain/event-envelope.ts';

/** A row of the `events` table, as SQLite returns it. */
export interface EventRow {
  seq: number;
  stream_id: string;
  stream_version: number;
  namespace: string;
  topic: string;
  payload: string;
  timestamp: string;
  correlation_id: string;
  source: string;
  hash: string;
}

/** Maps an `events` row to a {@link StoredEvent}: the one place snake_case columns become fields. */
export function toStoredEvent(row: EventRow): StoredEvent {
  return {
    seq: row.seq,
    streamId: row.stream_id,
    streamVersion: row.stream_version,
    namespace: row.namespace,
    topic: row.topic,
    event: JSON.parse(row.payload) as Record<string, unknown>,
    timestamp: row.timestamp,
    correlationId: row.correlation_id,
    source: row.source,
    hash: row.hash,
  };
}
