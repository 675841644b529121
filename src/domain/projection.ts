import type { StoredEvent } from './event-envelope.ts';

/** One row of a projection table: column name to SQLite value. */
export type ProjectionRow = Record<string, string | number | null>;

/**
 * A projection of the log into one table, one row per stream: the pure half (the fold and the
 * row mapping). The store applies it inline in the append transaction and on rebuild.
 */
export interface Projection<S> {
  /** Name kept with the checkpoint and version in the `projections` table. */
  readonly name: string;
  /** Bump whenever evolve or the row shape changes: the store then rebuilds on open. */
  readonly version: number;
  /** The table holding the rows. */
  readonly table: string;
  /** Key columns, in order; together they identify the stream's row. */
  readonly keyColumns: readonly string[];
  /** Every column of the table, keys included. */
  readonly columns: readonly string[];
  /** The row key of a stream this projection handles, or undefined when it ignores the stream. */
  keyOf(streamId: string): ProjectionRow | undefined;
  /** Folds one event into the state; undefined state means "no row". */
  evolve(state: S | undefined, event: StoredEvent): S | undefined;
  /** Serialises a state into its row. */
  toRow(state: S): ProjectionRow;
  /** Parses a row back into state. */
  fromRow(row: ProjectionRow): S;
  /**
   * The states at a compaction point whose snapshot has no rows for this projection (made before
   * it existed), derived from the other projections' rows, by name. Without it, such a root
   * cannot be opened: the events a rebuild would need are gone.
   */
  seed?(rows: Readonly<Record<string, readonly ProjectionRow[]>>): S[];
}

/** Splits `kind/namespace/id` stream ids; undefined when the kind differs. */
export function parseStreamId(
  streamId: string,
  kind: string,
): { namespace: string; id: string } | undefined {
  const parts = streamId.split('/');
  if (parts.length !== 3 || parts[0] !== kind) return undefined;
  return { namespace: parts[1]!, id: parts[2]! };
}
