import type { StoredEvent } from '../domain/event-envelope.ts';
import type { Projection, ProjectionRow } from '../domain/projection.ts';
import type { SqliteConnection } from './open-database.ts';

/** The SQL half of a projection: prepared statements over its table. */
export interface ProjectionTable<S> {
  /** The projection this table serves. */
  readonly projection: Projection<S>;
  /** State of one stream, or undefined when it has no row (or the projection ignores it). */
  load(streamId: string): S | undefined;
  /** Folds `events` of one stream into its row (insert, update or delete). Call inside the append transaction. */
  apply(streamId: string, events: readonly StoredEvent[]): void;
  /** The rows whose columns equal `where`, ordered by key; at most `limit` of them. */
  rows(where?: ProjectionRow, limit?: number): ProjectionRow[];
  /** Deletes every row. */
  clear(): void;
  /** Inserts or replaces one row. */
  put(row: ProjectionRow): void;
}

/** Prepares the statements of `projection`'s table on `sqlite`. */
export function createProjectionTable<S>(
  sqlite: SqliteConnection,
  projection: Projection<S>,
): ProjectionTable<S> {
  const { table, keyColumns, columns } = projection;
  const keyWhere = keyColumns.map((c) => `${c} = @${c}`).join(' and ');
  const orderBy = keyColumns.join(', ');
  const select = sqlite.prepare(`select * from ${table} where ${keyWhere}`);
  const upsert = sqlite.prepare(
    `insert or replace into ${table} (${columns.join(', ')}) values (${columns.map((c) => `@${c}`).join(', ')})`,
  );
  const remove = sqlite.prepare(`delete from ${table} where ${keyWhere}`);
  const listCache = new Map<string, ReturnType<SqliteConnection['prepare']>>();

  const load = (streamId: string): S | undefined => {
    const key = projection.keyOf(streamId);
    if (!key) return undefined;
    const row = select.get(key) as ProjectionRow | undefined;
    return row ? projection.fromRow(row) : undefined;
  };

  return {
    projection,
    load,
    apply(streamId, events) {
      const key = projection.keyOf(streamId);
      if (!key) return;
      const loaded = load(streamId);
      let state = loaded;
      for (const e of events) state = projection.evolve(state, e);
      // An evolve that changes nothing returns the state it was given: the row stays as it is
      // (the namespace of a container's every event, most of the time).
      if (state === loaded) return;
      if (state === undefined) remove.run(key);
      else upsert.run(projection.toRow(state));
    },
    rows(where = {}, limit) {
      const names = Object.keys(where).sort();
      const limited = limit !== undefined;
      const cacheKey = `${names.join(',')}${limited ? ' limit' : ''}`;
      let stmt = listCache.get(cacheKey);
      if (!stmt) {
        for (const n of names) {
          if (!columns.includes(n)) throw new Error(`unknown column ${n} of ${table}`);
        }
        const filter = names.length
          ? `where ${names.map((n) => `${n} = @${n}`).join(' and ')}`
          : '';
        const cap = limited ? 'limit @limit_' : '';
        stmt = sqlite.prepare(`select * from ${table} ${filter} order by ${orderBy} ${cap}`);
        listCache.set(cacheKey, stmt);
      }
      return stmt.all(limited ? { ...where, limit_: limit } : where) as ProjectionRow[];
    },
    clear() {
      sqlite.prepare(`delete from ${table}`).run();
    },
    put(row) {
      upsert.run(row);
    },
  };
}
