import { sql, type Kysely } from 'kysely';

/** Retention: the snapshot that stands in for compacted events, and compacted streams' versions. */
export async function up(db: Kysely<unknown>): Promise<void> {
  // One row at most: the state right after the last compacted event. A later compaction replaces
  // it, since its state already includes everything the older snapshot summarised.
  await db.schema
    .createTable('log_snapshot')
    .addColumn('seq', 'integer', (c) => c.primaryKey())
    .addColumn('hash', 'text', (c) => c.notNull())
    .addColumn('timestamp', 'text', (c) => c.notNull())
    .addColumn('projections', 'text', (c) => c.notNull())
    .addColumn('compacted_at', 'text', (c) => c.notNull())
    .execute();
  // Stream versions must keep counting after their events are deleted (they are the optimistic
  // concurrency token), so the last compacted version of every compacted stream is kept.
  await db.schema
    .createTable('compacted_streams')
    .addColumn('stream_id', 'text', (c) => c.primaryKey())
    .addColumn('version', 'integer', (c) => c.notNull())
    .modifyEnd(sql`without rowid`)
    .execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.dropTable('compacted_streams').execute();
  await db.schema.dropTable('log_snapshot').execute();
}
