import { sql, type Kysely } from 'kysely';

/** The append-only event log, the projection bookkeeping and the containers projection. */
export async function up(db: Kysely<unknown>): Promise<void> {
  // seq is the rowid: the store assigns last+1 itself inside the write transaction, so it is gap-free.
  await db.schema
    .createTable('events')
    .addColumn('seq', 'integer', (c) => c.primaryKey())
    .addColumn('stream_id', 'text', (c) => c.notNull())
    .addColumn('stream_version', 'integer', (c) => c.notNull())
    .addColumn('namespace', 'text', (c) => c.notNull())
    .addColumn('topic', 'text', (c) => c.notNull())
    .addColumn('payload', 'text', (c) => c.notNull())
    .addColumn('timestamp', 'text', (c) => c.notNull())
    .addColumn('correlation_id', 'text', (c) => c.notNull())
    .addColumn('source', 'text', (c) => c.notNull())
    .addColumn('hash', 'text', (c) => c.notNull())
    // The optimistic-concurrency guard: two writers cannot both take the same stream version.
    .addUniqueConstraint('events_stream_version', ['stream_id', 'stream_version'])
    .execute();
  await db.schema.createIndex('events_topic').on('events').columns(['topic', 'seq']).execute();
  await db.schema
    .createIndex('events_namespace')
    .on('events')
    .columns(['namespace', 'seq'])
    .execute();
  await db.schema.createIndex('events_timestamp').on('events').column('timestamp').execute();

  await db.schema
    .createTable('projections')
    .addColumn('name', 'text', (c) => c.primaryKey())
    .addColumn('version', 'integer', (c) => c.notNull())
    .addColumn('checkpoint', 'integer', (c) => c.notNull())
    .execute();

  await db.schema
    .createTable('containers')
    .addColumn('namespace', 'text', (c) => c.notNull())
    .addColumn('id', 'text', (c) => c.notNull())
    .addColumn('labels', 'text', (c) => c.notNull())
    .addColumn('spec', 'text', (c) => c.notNull())
    .addColumn('rootfs', 'text', (c) => c.notNull())
    .addColumn('runtime_name', 'text', (c) => c.notNull())
    .addColumn('runtime_options', 'text')
    .addColumn('image', 'text', (c) => c.notNull())
    .addColumn('snapshot_key', 'text', (c) => c.notNull())
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addColumn('updated_at', 'text', (c) => c.notNull())
    .addPrimaryKeyConstraint('containers_pk', ['namespace', 'id'])
    .modifyEnd(sql`without rowid`)
    .execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.dropTable('containers').execute();
  await db.schema.dropTable('projections').execute();
  await db.schema.dropTable('events').execute();
}
