import { SqliteError } from 'better-sqlite3';
import type { Kysely } from 'kysely';
import { conflict, failedPrecondition, invalidArgument } from '../domain/errors.ts';
import type { EventCause, StoredEvent } from '../domain/event-envelope.ts';
import type { Projection, ProjectionRow } from '../domain/projection.ts';
import type { Clock } from '../ports/clock.ts';
import type {
  AppendRequest,
  CompactionMark,
  EventStore,
  ReadAllQuery,
} from '../ports/event-store.ts';
import { chainHash } from './event-hash.ts';
import { readLogPosition } from './log-snapshot.ts';
import type { LedgerDatabase } from './open-database.ts';
import { catchUpProjections, foldFromSnapshot } from './projection-rebuild.ts';
import { createProjectionTable, type ProjectionTable } from './projection-table.ts';
import {
  eventColumns,
  fromEventValues,
  hashedFields,
  toStoredEvent,
  type EventRow,
} from './stored-event-row.ts';

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
  /**
   * Appends events that already have their place in a log (an import): each must carry the next
   * seq, its stream's next version and the hash the chain gives it, or InvalidArgument names its
   * seq and nothing of the call is written. Same write path and projections as {@link append}.
   */
  appendStored(rows: readonly EventRow[]): StoredEvent[];
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
  // Compacted streams keep counting: their last compacted version stands in for deleted events.
  const selectVersion = sqlite
    .prepare(
      `select coalesce((select max(stream_version) from events where stream_id = @id),
                       (select version from compacted_streams where stream_id = @id), 0)`,
    )
    .pluck();
  const selectStream = sqlite.prepare(
    'select * from events where stream_id = ? order by stream_version',
  );
  const selectMark = sqlite.prepare('select seq, hash, timestamp from log_snapshot');
  const compaction = (): CompactionMark | undefined =>
    selectMark.get() as CompactionMark | undefined;
  const setCheckpoint = sqlite.prepare('update projections set checkpoint = ? where name = ?');
  const statementCache = new Map<string, ReturnType<typeof sqlite.prepare>>();

  const start = readLogPosition(sqlite);
  let lastSeq = start.seq;
  let lastHash = start.hash;

  catchUpProjections(sqlite, [...tables.values()], lastSeq);

  const streamVersion = (streamId: string): number => selectVersion.get({ id: streamId }) as number;

  /** The one write path: inserts one stream's rows and folds them into every projection. */
  const writeRun = (rows: readonly EventRow[]): StoredEvent[] => {
    const events = rows.map((row) => {
      insertEvent.run(row);
      // Parsed from the stored text, so subscribers get exactly what a later read returns.
      return toStoredEvent(row);
    });
    for (const table of tables.values()) table.apply(rows[0]!.stream_id, events);
    return events;
  };

  const setCheckpoints = (seq: number): void => {
    for (const table of tables.values()) setCheckpoint.run(seq, table.projection.name);
  };

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
        if (request.events.length === 0) continue;
        let version = current;
        const rows = request.events.map((e): EventRow => {
          seq += 1;
          version += 1;
          const row: EventRow = {
            seq,
            stream_id: request.streamId,
            stream_version: version,
            namespace: request.namespace,
            topic: e.topic,
            payload: JSON.stringify(e.event),
            timestamp: clock.now(),
            correlation_id: cause.correlationId,
            source: cause.source,
            hash: '',
          };
          hash = chainHash(hash, hashedFields(row));
          row.hash = hash;
          return row;
        });
        stored.push(...writeRun(rows));
      }
      setCheckpoints(seq);
      return stored;
    },
  );

  const appendStoredInTransaction = sqlite.transaction((rows: readonly EventRow[]) => {
    // Read the position from the file, not the cache: an import runs batches inside one outer
    // transaction, and a rolled-back batch must not leave a wrong position behind.
    let { seq, hash } = readLogPosition(sqlite);
    const versions = new Map<string, number>(); // versions of this call's rows not yet written
    const stored: StoredEvent[] = [];
    let run: EventRow[] = [];
    const flush = (): void => {
      if (run.length === 0) return;
      try {
        stored.push(...writeRun(run));
      } catch (error) {
        // A well-chained event the projections cannot take (a log from a build with other payloads).
        if (error instanceof SqliteError || error instanceof TypeError) {
          throw invalidArgument(
            `seq ${run[0]!.seq}-${run.at(-1)!.seq}: the events do not fit the projections: ${error.message}`,
          );
        }
        throw error;
      }
      run = [];
    };
    for (const row of rows) {
      if (row.seq !== seq + 1) {
        throw invalidArgument(
          `seq ${row.seq} cannot follow seq ${seq}: events must be contiguous from seq ${seq + 1}`,
        );
      }
      const current = versions.get(row.stream_id) ?? streamVersion(row.stream_id);
      if (row.stream_version !== current + 1) {
        throw invalidArgument(
          `seq ${row.seq}: stream ${row.stream_id} is at version ${current}, the event claims version ${row.stream_version}`,
        );
      }
      if (chainHash(hash, hashedFields(row)) !== row.hash) {
        throw invalidArgument(
          `hash mismatch at seq ${row.seq}: the event was altered, or it does not continue this chain`,
        );
      }
      if (run.length > 0 && run[0]!.stream_id !== row.stream_id) flush();
      run.push(row);
      versions.set(row.stream_id, row.stream_version);
      seq = row.seq;
      hash = row.hash;
    }
    flush();
    setCheckpoints(seq);
    return stored;
  });

  const prepared = (sql: string): ReturnType<typeof sqlite.prepare> => {
    let stmt = statementCache.get(sql);
    if (!stmt) {
      stmt = sqlite.prepare(sql).raw(true); // rows as arrays: see fromEventValues
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
    appendStored(rows) {
      if (rows.length === 0) return [];
      const stored = appendStoredInTransaction.immediate(rows);
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
      const mark = compaction();
      if (mark && query.afterSeq !== undefined && query.afterSeq < mark.seq) {
        throw failedPrecondition(
          `events up to seq ${mark.seq} were compacted: cannot read from seq ${query.afterSeq + 1}, the log starts at seq ${mark.seq + 1}`,
        );
      }
      let q = kysely
        .selectFrom('events')
        .select(eventColumns)
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
      const rows = prepared(compiled.sql).all(compiled.parameters) as unknown[][];
      return rows.map(fromEventValues);
    },
    lastSeq: () => lastSeq,
    load(projection, streamId) {
      return tableOf(projection).load(streamId);
    },
    list<S>(projection: Projection<S>, where?: ProjectionRow, options?: { limit?: number }): S[] {
      return tableOf(projection)
        .rows(where, options?.limit)
        .map((row) => projection.fromRow(row));
    },
    compaction,
    stateAt(projection, untilSeq) {
      return [...foldFromSnapshot(sqlite, projection, untilSeq).values()];
    },
    table: tableOf,
    setOnCommit(listener) {
      onCommit = listener;
    },
  };
}
