import { sql, type Kysely } from 'kysely';

/** The tasks projection: one row per container with a task. */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable('tasks')
    .addColumn('namespace', 'text', (c) => c.notNull())
    .addColumn('container_id', 'text', (c) => c.notNull())
    .addColumn('status', 'text', (c) => c.notNull())
    .addColumn('pid', 'integer', (c) => c.notNull())
    .addColumn('bundle', 'text', (c) => c.notNull())
    .addColumn('io', 'text', (c) => c.notNull())
    .addColumn('exit_status', 'integer')
    .addColumn('exited_at', 'text')
    .addColumn('error', 'text', (c) => c.notNull())
    .addColumn('oom_killed', 'integer', (c) => c.notNull())
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addColumn('updated_at', 'text', (c) => c.notNull())
    .addColumn('execs', 'text', (c) => c.notNull())
    .addPrimaryKeyConstraint('tasks_pk', ['namespace', 'container_id'])
    .modifyEnd(sql`without rowid`)
    .execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.dropTable('tasks').execute();
}
