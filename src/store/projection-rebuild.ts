import { failedPrecondition } from '../domain/errors.ts';
import type { Projection, ProjectionRow } from '../domain/projection.ts';
import { readLogPosition, readSnapshot, snapshotStates } from './log-snapshot.ts';
import type { SqliteConnection } from './open-database.ts';
import type { ProjectionTable } from './projection-table.ts';
import { toStoredEvent, type EventRow } from './stored-event-row.ts';

/** Where a projection's table and a replay of the log first disagree. */
export interface ProjectionDifference {
  /** The projection. */
  readonly projection: string;
  /** Key of the row that differs, e.g. `default/web`. */
  readonly key: string;
  /** The row in the table (undefined: missing from the table). */
  readonly stored: ProjectionRow | undefined;
  /** The row the replay produces (undefined: the replay has no such row). */
  readonly replayed: ProjectionRow | undefined;
}

/** Replays events with seq in (afterSeq, untilSeq] into in-memory rows keyed by row key. */
export function foldLog<S>(
  sqlite: SqliteConnection,
  projection: Projection<S>,
  options: { afterSeq?: number; untilSeq?: number; initial?: Map<string, S> } = {},
): Map<string, S> {
  const states = options.initial ?? new Map<string, S>();
  const rows = sqlite
    .prepare('select * from events where seq > ? and seq <= ? order by seq')
    .iterate(
      options.afterSeq ?? 0,
      options.untilSeq ?? Number.MAX_SAFE_INTEGER,
    ) as IterableIterator<EventRow>;
  for (const row of rows) {
    const key = projection.keyOf(row.stream_id);
    if (!key) continue;
    const id = rowKey(projection, key);
    const next = projection.evolve(states.get(id), toStoredEvent(row));
    if (next === undefined) states.delete(id);
    else states.set(id, next);
  }
  return states;
}

/**
 * The states right after event `untilSeq` (default: the end of the log): the compaction snapshot,
 * if any, then the kept events folded on. FailedPrecondition when `untilSeq` is before the cut.
 */
export function foldFromSnapshot<S>(
  sqlite: SqliteConnection,
  projection: Projection<S>,
  untilSeq?: number,
): Map<string, S> {
  const snapshot = readSnapshot(sqlite);
  if (!snapshot) return foldLog(sqlite, projection, { untilSeq });
  if (untilSeq !== undefined && untilSeq < snapshot.seq) {
    throw failedPrecondition(
      `events up to seq ${snapshot.seq} (${snapshot.timestamp}) were compacted: the earliest state left is at seq ${snapshot.seq}`,
    );
  }
  const initial = snapshotStates(snapshot, projection, (row) => rowKey(projection, row));
  return foldLog(sqlite, projection, { afterSeq: snapshot.seq, untilSeq, initial });
}

/**
 * Rebuilds one projection table from scratch, in one transaction: the compaction snapshot (if
 * any) plus a replay of the kept log.
 */
export function rebuildProjection<S>(sqlite: SqliteConnection, table: ProjectionTable<S>): void {
  const { projection } = table;
  sqlite
    .transaction(() => {
      const lastSeq = readLogPosition(sqlite).seq;
      const states = foldFromSnapshot(sqlite, projection, lastSeq);
      table.clear();
      for (const state of states.values()) table.put(projection.toRow(state));
      sqlite
        .prepare('insert or replace into projections (name, version, checkpoint) values (?, ?, ?)')
        .run(projection.name, projection.version, lastSeq);
    })
    .immediate();
}

/**
 * Brings every table up to the log on open: a table whose projection version changed (or that
 * was never built) is rebuilt; one whose checkpoint is behind the log applies the tail.
 */
export function catchUpProjections(
  sqlite: SqliteConnection,
  tables: readonly ProjectionTable<unknown>[],
  lastSeq: number,
): void {
  const select = sqlite.prepare('select version, checkpoint from projections where name = ?');
  for (const table of tables) {
    const { projection } = table;
    const stored = select.get(projection.name) as
      { version: number; checkpoint: number } | undefined;
    if (!stored || stored.version !== projection.version) {
      rebuildProjection(sqlite, table);
    } else if (stored.checkpoint < lastSeq) {
      applyTail(sqlite, table, stored.checkpoint, lastSeq);
    }
  }
}

function applyTail<S>(
  sqlite: SqliteConnection,
  table: ProjectionTable<S>,
  checkpoint: number,
  lastSeq: number,
): void {
  sqlite
    .transaction(() => {
      const rows = sqlite
        .prepare('select * from events where seq > ? and seq <= ? order by seq')
        .all(checkpoint, lastSeq) as EventRow[];
      for (const row of rows) table.apply(row.stream_id, [toStoredEvent(row)]);
      sqlite
        .prepare('update projections set checkpoint = ? where name = ?')
        .run(lastSeq, table.projection.name);
    })
    .immediate();
}

/** Compares a projection table with snapshot + replay; returns the first difference, if any. */
export function diffProjection<S>(
  sqlite: SqliteConnection,
  table: ProjectionTable<S>,
): ProjectionDifference | undefined {
  const { projection } = table;
  const replayed = new Map<string, ProjectionRow>();
  for (const [key, state] of foldFromSnapshot(sqlite, projection))
    replayed.set(key, projection.toRow(state));
  const stored = new Map<string, ProjectionRow>();
  for (const row of table.rows()) stored.set(rowKey(projection, row), row);
  const keys = [...new Set([...replayed.keys(), ...stored.keys()])].sort();
  for (const key of keys) {
    const a = stored.get(key);
    const b = replayed.get(key);
    if (!a || !b || !sameRow(projection, a, b)) {
      return { projection: projection.name, key, stored: a, replayed: b };
    }
  }
  return undefined;
}

/** `ns/id` style key of a row, from its key columns. */
export function rowKey<S>(projection: Projection<S>, row: ProjectionRow): string {
  return projection.keyColumns.map((c) => String(row[c])).join('/');
}

function sameRow<S>(projection: Projection<S>, a: ProjectionRow, b: ProjectionRow): boolean {
  return projection.columns.every((c) => a[c] === b[c]);
}
