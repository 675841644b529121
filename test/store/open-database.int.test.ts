import { copyFileSync, existsSync, mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { migrations } from '../../migrations/index.ts';
import { openLedgerDatabase, type LedgerDatabase } from '../../src/store/open-database.ts';

/** Opens the database at `path`, hands it to `use`, and closes it whatever `use` does. */
async function withDatabase(path: string, use: (db: LedgerDatabase) => void): Promise<void> {
  const db = await openLedgerDatabase(path);
  try {
    use(db);
  } finally {
    await db.close();
  }
}

/** The checkpoint a projection row holds. */
const checkpointOf = (db: LedgerDatabase, name: string): unknown =>
  db.sqlite.prepare('select checkpoint from projections where name = ?').pluck().get(name);

describe('openLedgerDatabase', () => {
  const dir = mkdtempSync(join(tmpdir(), 'taskledger-open-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('migrates a new database and sets WAL with full fsync on the connection', async () => {
    await withDatabase(join(dir, 'a.db'), (db) => {
      // Reopened once migrated, so that even its first appends overwrite a WAL of working size.
      expect(statSync(join(dir, 'a.db-wal')).size).toBeGreaterThanOrEqual(4_000_000);
      expect(db.sqlite.pragma('journal_mode', { simple: true })).toBe('wal');
      expect(db.sqlite.pragma('synchronous', { simple: true })).toBe(2); // FULL
      const tables = db.sqlite
        .prepare("select name from sqlite_master where type = 'table' order by name")
        .pluck()
        .all();
      expect(tables).toEqual(
        expect.arrayContaining(['events', 'projections', 'containers', 'tasks']),
      );
    });
  });

  it('refuses a database written by a newer version, naming the unknown migration', async () => {
    const path = join(dir, 'b.db');
    const db = await openLedgerDatabase(path);
    db.sqlite
      .prepare(
        "insert into kysely_migration (name, timestamp) values ('9999-from-the-future', 'x')",
      )
      .run();
    await db.close();
    await expect(openLedgerDatabase(path)).rejects.toThrow(
      /written by a newer taskledger \(schema migration 9999-from-the-future/,
    );
  });

  it('opens an existing database without re-running migrations', async () => {
    const path = join(dir, 'c.db');
    await (await openLedgerDatabase(path)).close();
    await withDatabase(path, (db) => {
      expect(db.sqlite.prepare('select count(*) from kysely_migration').pluck().get()).toBe(
        Object.keys(migrations).length,
      );
    });
  });

  it('reopens a cleanly closed database with its WAL at working size, which SQLite reads as empty', async () => {
    const path = join(dir, 'd.db');
    const first = await openLedgerDatabase(path);
    first.sqlite
      .prepare("insert into projections (name, version, checkpoint) values ('x', 1, 7)")
      .run();
    await first.close();
    expect(existsSync(`${path}-wal`)).toBe(false); // SQLite removes it at the last close
    await withDatabase(path, (db) => {
      expect(statSync(`${path}-wal`).size).toBeGreaterThanOrEqual(4_000_000);
      expect(checkpointOf(db, 'x')).toBe(7);
      db.sqlite.prepare("update projections set checkpoint = 8 where name = 'x'").run();
      expect(db.sqlite.pragma('integrity_check', { simple: true })).toBe('ok');
    });
    await withDatabase(path, (again) => {
      expect(checkpointOf(again, 'x')).toBe(8);
    });
  });

  it('leaves alone a WAL a crash left behind, with the commits in it', async () => {
    const path = join(dir, 'e.db');
    const first = await openLedgerDatabase(path);
    first.sqlite
      .prepare("insert into projections (name, version, checkpoint) values ('y', 1, 3)")
      .run();
    // A copy of the files as a crash leaves them: the commit is in the WAL only.
    copyFileSync(path, join(dir, 'crashed.db'));
    copyFileSync(`${path}-wal`, join(dir, 'crashed.db-wal'));
    await first.close();
    await withDatabase(join(dir, 'crashed.db'), (db) => {
      expect(checkpointOf(db, 'y')).toBe(3);
    });
  });
});
