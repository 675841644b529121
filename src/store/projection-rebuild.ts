import { failedPrecondition } from '../domain/errors.ts';
import type { StoredEvent } from '../domain/event-envelope.ts';
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

/** One projection's states during a replay, keyed by row key. */
interface Fold {
  readonly projection: Projection<unknown>;
  readonly states: Map<string, unknown>;
}

/**
 * Replays events with seq in (afterSeq, untilSeq] into several projections' states in one pass:
 * a pass over a large log costs seconds, whatever the number of projections it feeds.
 */
function foldLogInto(
  sqlite: SqliteConnection,
  folds: readonly Fold[],
  range: { afterSeq?: number; untilSeq?: number },
): void {
  const rows = sqlite
    .prepare('select * from events where seq > ? and seq <= ? order by seq')
    .iterate(
      range.afterSeq ?? 0,
      range.untilSeq ?? Number.MAX_SAFE_INTEGER,
    ) as IterableIterator<EventRow>;
  for (const row of rows) {
    let event: StoredEvent | undefined;
    for (const { projection, states } of folds) {
      const key = projection.keyOf(row.stream_id);
      if (!key) continue;
      event ??= toStoredEvent(row);
      const id = rowKey(projection, key);
      const next = projection.evolve(states.get(id), event);
      if (next === undefined) states.delete(id);
      else states.set(id, next);
    }
  }
}

/**
 * The states of each projection right after event `untilSeq` (default: the end of the log): the
 * compaction snapshot, if any, then one pass over the kept events. FailedPrecondition when
 * `untilSeq` is before the cut.
 */
export function foldAllFromSnapshot(
  sqlite: SqliteConnection,
  projections: readonly Projection<unknown>[],
  untilSeq?: number,
): Map<string, unknown>[] {
  const snapshot = readSnapshot(sqlite);
  if (snapshot && untilSeq !== undefined && untilSeq < snapshot.seq) {
    throw failedPrecondition(
      `events up to seq ${snapshot.seq} (${snapshot.timestamp}) were compacted: the earliest state left is at seq ${snapshot.seq}`,
    );
  }
  const folds = projections.map((projection) => ({
    projection,
    states: snapshot
      ? snapshotStates(snapshot, projection, (row) => rowKey(projection, row))
      : new Map<string, unknown>(),
  }));
  foldLogInto(sqlite, folds, { afterSeq: snapshot?.seq, untilSeq });
  return folds.map((fold) => fold.states);
}

/** {@link foldAllFromSnapshot} for one projection. */
export function foldFromSnapshot<S>(
  sqlite: SqliteConnection,
  projection: Projection<S>,
  untilSeq?: number,
): Map<string, S> {
  return foldAllFromSnapshot(sqlite, [projection], untilSeq)[0] as Map<string, S>;
}

/**
 * Rebuilds projection tables from scratch, in one transaction and one pass over the log: the
 * compaction snapshot (if any) plus a replay of the kept log.
 */
export function rebuildProjections(
  sqlite: SqliteConnection,
  tables: readonly ProjectionTable<unknown>[],
): void {
  if (tables.length === 0) return;
  sqlite
    .transaction(() => {
      const lastSeq = readLogPosition(sqlite).seq;
      const states = foldAllFromSnapshot(
        sqlite,
        tables.map((table) => table.projection),
        lastSeq,
      );
      const checkpoint = sqlite.prepare(
        'insert or replace into projections (name, version, checkpoint) values (?, ?, ?)',
      );
      tables.forEach((table, i) => {
        const { projection } = table;
        table.clear();
        for (const state of states[i]!.values()) table.put(projection.toRow(state));
        checkpoint.run(projection.name, projection.version, lastSeq);
      });
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
  const stale: ProjectionTable<unknown>[] = [];
  for (const table of tables) {
    const { projection } = table;
    const stored = select.get(projection.name) as
      { version: number; checkpoint: number } | undefined;
    if (!stored || stored.version !== projection.version) {
      stale.push(table);
    } else if (stored.checkpoint < lastSeq) {
      applyTail(sqlite, table, stored.checkpoint, lastSeq);
    }
  }
  rebuildProjections(sqlite, stale);
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

/**
 * Compares projection tables with snapshot + replay (one pass over the log for all of them);
 * returns the first difference, if any, in the order of `tables`.
 */
export function diffProjections(
  sqlite: SqliteConnection,
  tables: readonly ProjectionTable<unknown>[],
): ProjectionDifference | undefined {
  const replays = foldAllFromSnapshot(
    sqlite,
    tables.map((table) => table.projection),
  );
  for (const [i, table] of tables.entries()) {
    const difference = diffTable(table, replays[i]!);
    if (difference) return difference;
  }
  return undefined;
}

function diffTable(
  table: ProjectionTable<unknown>,
  states: Map<string, unknown>,
): ProjectionDifference | undefined {
  const { projection } = table;
  const replayed = new Map<string, ProjectionRow>();
  for (const [key, state] of states) replayed.set(key, projection.toRow(state));
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
