import { failedPrecondition } from '../domain/errors.ts';
import type { Projection, ProjectionRow } from '../domain/projection.ts';
import type { CompactionMark } from '../ports/event-store.ts';
import { genesisHash } from './event-hash.ts';
import type { SqliteConnection } from './open-database.ts';

/** One projection's rows as they were at the compaction point. */
export interface ProjectionSnapshot {
  /** The projection's version when the rows were made: rows of another version cannot be folded on. */
  readonly version: number;
  /** Every row, in the table's column form. */
  readonly rows: readonly ProjectionRow[];
}

/** What stands in for the compacted events: the cut, and each projection's state there. */
export interface LogSnapshot extends CompactionMark {
  /** Rows by projection name. */
  readonly projections: Readonly<Record<string, ProjectionSnapshot>>;
}

/** The log's end: the last event, else the compaction point, else the empty log. */
export interface LogPosition {
  /** Seq of the last event (0 for an empty log). */
  readonly seq: number;
  /** Its hash: the next event chains from it. */
  readonly hash: string;
}

/** The compaction point without the (possibly large) projection state. */
export function readCompactionMark(sqlite: SqliteConnection): CompactionMark | undefined {
  return sqlite.prepare('select seq, hash, timestamp from log_snapshot').get() as
    CompactionMark | undefined;
}

/** The whole snapshot, projection state included. */
export function readSnapshot(sqlite: SqliteConnection): LogSnapshot | undefined {
  const row = sqlite.prepare('select seq, hash, timestamp, projections from log_snapshot').get() as
    (CompactionMark & { projections: string }) | undefined;
  if (!row) return undefined;
  return {
    seq: row.seq,
    hash: row.hash,
    timestamp: row.timestamp,
    projections: JSON.parse(row.projections) as Record<string, ProjectionSnapshot>,
  };
}

/**
 * Replaces the snapshot and records the last version of each compacted stream. Run inside the
 * transaction that deletes the events it stands for.
 */
export function writeSnapshot(
  sqlite: SqliteConnection,
  snapshot: LogSnapshot,
  compactedStreams: Iterable<readonly [string, number]>,
  compactedAt: string,
): void {
  sqlite.prepare('delete from log_snapshot').run();
  sqlite
    .prepare(
      'insert into log_snapshot (seq, hash, timestamp, projections, compacted_at) values (?, ?, ?, ?, ?)',
    )
    .run(
      snapshot.seq,
      snapshot.hash,
      snapshot.timestamp,
      JSON.stringify(snapshot.projections),
      compactedAt,
    );
  // A stream's versions grow with seq, so a later compaction's version always wins.
  const upsert = sqlite.prepare(
    'insert or replace into compacted_streams (stream_id, version) values (?, ?)',
  );
  for (const [streamId, version] of compactedStreams) upsert.run(streamId, version);
}

/** Last version of every compacted stream, by stream id. */
export function readCompactedStreams(sqlite: SqliteConnection): Map<string, number> {
  const rows = sqlite.prepare('select stream_id, version from compacted_streams').all() as {
    stream_id: string;
    version: number;
  }[];
  return new Map(rows.map((r) => [r.stream_id, r.version]));
}

/** Where the next event goes: after the last stored event, or after the compaction point. */
export function readLogPosition(sqlite: SqliteConnection): LogPosition {
  const last = sqlite.prepare('select seq, hash from events order by seq desc limit 1').get() as
    LogPosition | undefined;
  if (last) return last;
  const mark = readCompactionMark(sqlite);
  return mark ? { seq: mark.seq, hash: mark.hash } : { seq: 0, hash: genesisHash };
}

/**
 * The states `projection` had at the compaction point, keyed like {@link foldAllFromSnapshot}'s maps; for a
 * projection newer than the snapshot, what its `seed` derives. Throws FailedPrecondition when the
 * snapshot was made by another version of the projection, or before it existed and it has no
 * seed: the events it would need to rebuild are gone.
 */
export function snapshotStates<S>(
  snapshot: LogSnapshot,
  projection: Projection<S>,
  keyOf: (row: ProjectionRow) => string,
): Map<string, S> {
  const stored = snapshot.projections[projection.name];
  if (!stored && projection.seed) {
    const rows = Object.fromEntries(
      Object.entries(snapshot.projections).map(([name, p]) => [name, p.rows]),
    );
    return new Map(projection.seed(rows).map((state) => [keyOf(projection.toRow(state)), state]));
  }
  if (!stored || stored.version !== projection.version) {
    throw failedPrecondition(
      `projection ${projection.name} v${projection.version} cannot be rebuilt: events up to seq ${snapshot.seq} were compacted into a snapshot holding ${stored ? `v${stored.version}` : 'no'} rows for it`,
    );
  }
  return new Map(stored.rows.map((row) => [keyOf(row), projection.fromRow(row)]));
}
