import { SqliteError } from 'better-sqlite3';
import type { Kysely } from 'kysely';
import { conflict, invalidArgument } from '../domain/errors.ts';
import type { EventCause, StoredEvent } from '../domain/event-envelope.ts';
import type { Projection, ProjectionRow } from '../domain/projection.ts';
import type { Clock } from '../ports/clock.ts';
import type { AppendRequest, EventStore, ReadAllQuery } from '../ports/event-store.ts';
import { chainHash, genesisHash } from './event-hash.ts';
import type { LedgerDatabase } from './open-database.ts';
import { catchUpProjections } from './projection-rebuild.ts';
import { createProjectionTable, type ProjectionTable } from './projection-table.ts';
import { toStoredEvent, type EventRow } from './stored-event-row.ts';

/** Options of {@link createSqliteEventStore}. */
export interface SqliteEventStoreOptions {
  /** Gives each event its timestamp. */
  readonly clock: Clock;
  /** Projections kept inline with each append. */
  readonly projections: readonly Projection<unknown>[];
  /** Called after each commit with the committed events (publish to subscribers here). */
  readonly onCommit?: (events: readonly StoredEvent[]) => void;
}

/** The SQLite event store with its projection tables, ready for use. */
export interface SqliteEventStore extends EventStore {
  /** The projection tables, by projection name. */
  table<S>(projection: Projection<S>): ProjectionTable<S>;
  /** Sets (or clears) the after-commit listener. */
  setOnCommit(listener: ((events: readonly StoredEvent[]) => void) | undefined): void;
}

type Db = Kysely<{ events: EventRow }>;

/**
 * Creates the store over an open database. Projections whose stored version differs from the
 * code's are rebuilt; projections behind the log (checkpoint < last seq) catch up.
 */
export function createSqliteEventStore(
  db: LedgerDatabase,
  options: SqliteEventStoreOptions,
): SqliteEventStore {
  const { sqlite } = db;
  const kysely = db.kysely as unknown as Db;
  const { clock } = options;
  let onCommit = options.onCommit;
  const tables = new Map<string, ProjectionTable<unknown>>(
    options.projections.map((p) => [p.name, createProjectionTable(sqlite, p)]),
  );

  const insertEvent = sqlite.prepare(
    `insert into events (seq, stream_id, stream_version, namespace, topic, payload, timestamp, correlation_id, source, hash)
     values (@seq, @stream_id, @stream_version, @namespace, @topic, @payload, @timestamp, @correlation_id, @source, @hash)`,
  );
  const selectVersion = sqlite
    .prepare('select max(stream_version) from events where stream_id = ?')
    .pluck();
  const selectLast = sqlite.prepare('select seq, hash from events order by seq desc limit 1');
  const selectStream = sqlite.prepare(
    'select * from events where stream_id = ? order by stream_version',
  );
  const setCheckpoint = sqlite.prepare('update projections set checkpoint = ? where name = ?');
  const statementCache = new Map<string, ReturnType<typeof sqlite.prepare>>();

  const last = selectLast.get() as { seq: number; hash: string } | undefined;
  let lastSeq = last?.seq ?? 0;
  let lastHash = last?.hash ?? genesisHash;

  catchUpProjections(sqlite, [...tables.values()], lastSeq);

  const streamVersion = (streamId: string): number =>
    (selectVersion.get(streamId) as number | null) ?? 0;

  const appendInTransaction = sqlite.transaction(
    (requests: readonly AppendRequest[], cause: EventCause): StoredEvent[] => {
      const stored: StoredEvent[] = [];
      let seq = lastSeq;
      let hash = lastHash;
      for (const request of requests) {
        const current = streamVersion(request.streamId);
        if (request.expectedVersion !== 'any' && request.expectedVersion !== current) {
          throw conflict(
            `stream ${request.streamId} is at version ${current}, expected ${request.expectedVersion}: it changed concurrently, retry`,
          );
        }
        const streamEvents: StoredEvent[] = [];
        let version = current;
        for (const e of request.events) {
          seq += 1;
          version += 1;
          const fields = {
            seq,
            streamId: request.streamId,
            streamVersion: version,
            namespace: request.namespace,
            topic: e.topic,
            payload: JSON.stringify(e.event),
            timestamp: clock.now(),
            correlationId: cause.correlationId,
            source: cause.source,
          };
          hash = chainHash(hash, fields);
          insertEvent.run({
            seq,
            stream_id: fields.streamId,
            stream_version: version,
            namespace: fields.namespace,
            topic: fields.topic,
            payload: fields.payload,
            timestamp: fields.timestamp,
            correlation_id: fields.correlationId,
            source: fields.source,
            hash,
          });
          // Re-parse so subscribers get exactly what a later read returns (no shared mutable payload).
          const event = JSON.parse(fields.payload) as Record<string, unknown>;
          streamEvents.push({ ...fields, event, hash });
        }
        for (const table of tables.values()) table.apply(request.streamId, streamEvents);
        stored.push(...streamEvents);
      }
      for (const table of tables.values()) setCheckpoint.run(seq, table.projection.name);
      return stored;
    },
  );

  const prepared = (sql: string): ReturnType<typeof sqlite.prepare> => {
    let stmt = statementCache.get(sql);
    if (!stmt) {
      stmt = sqlite.prepare(sql);
      statementCache.set(sql, stmt);
    }
    return stmt;
  };

  const tableOf = <S>(projection: Projection<S>): ProjectionTable<S> => {
    const table = tables.get(projection.name);
    if (!table) throw new Error(`projection ${projection.name} is not registered with the store`);
    return table as ProjectionTable<S>;
  };

  return {
    append(requests, cause) {
      if (requests.length === 0 || requests.every((r) => r.events.length === 0)) return [];
      let stored: StoredEvent[];
      try {
        stored = appendInTransaction.immediate(requests, cause);
      } catch (error) {
        if (error instanceof SqliteError && error.code === 'SQLITE_CONSTRAINT_UNIQUE') {
          throw conflict(`concurrent append to the same stream version: retry (${error.message})`);
        }
        throw error;
      }
      const tail = stored.at(-1)!;
      lastSeq = tail.seq;
      lastHash = tail.hash;
      onCommit?.(stored);
      return stored;
    },
    streamVersion,
    readStream(streamId) {
      return (selectStream.all(streamId) as EventRow[]).map(toStoredEvent);
    },
    readAll(query: ReadAllQuery = {}) {
      if (query.limit !== undefined && (!Number.isInteger(query.limit) || query.limit < 0)) {
        throw invalidArgument(`limit must be a non-negative integer, got ${query.limit}`);
      }
      let q = kysely
        .selectFrom('events')
        .selectAll()
        .where('seq', '>', query.afterSeq ?? 0);
      if (query.untilSeq !== undefined) q = q.where('seq', '<=', query.untilSeq);
      if (query.topics && query.topics.length > 0) q = q.where('topic', 'in', [...query.topics]);
      if (query.namespace !== undefined) q = q.where('namespace', '=', query.namespace);
      if (query.since !== undefined) q = q.where('timestamp', '>=', query.since);
      if (query.until !== undefined) q = q.where('timestamp', '<=', query.until);
      q = q.orderBy('seq');
      if (query.limit !== undefined) q = q.limit(query.limit);
      // kysely builds the query; better-sqlite3 runs it synchronously from a cached statement.
      const compiled = q.compile();
      const rows = prepared(compiled.sql).all(compiled.parameters) as EventRow[];
      return rows.map(toStoredEvent);
    },
    lastSeq: () => lastSeq,
    load(projection, streamId) {
      return tableOf(projection).load(streamId);
    },
    list<S>(projection: Projection<S>, where?: ProjectionRow): S[] {
      return tableOf(projection)
        .rows(where)
        .map((row) => projection.fromRow(row));
    },
    table: tableOf,
    setOnCommit(listener) {
      onCommit = listener;
    },
  };
}
