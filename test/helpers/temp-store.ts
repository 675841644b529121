import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { containerProjection } from '../../src/domain/container-projection.ts';
import type { Projection } from '../../src/domain/projection.ts';
import { formatTimestampNs } from '../../src/domain/timestamp.ts';
import type { Clock } from '../../src/ports/clock.ts';
import { openLedgerDatabase, type LedgerDatabase } from '../../src/store/open-database.ts';
import {
  createSqliteEventStore,
  type SqliteEventStore,
} from '../../src/store/sqlite-event-store.ts';

/** A clock that advances one millisecond per reading, from a fixed start. */
export function steppingClock(startMs = Date.UTC(2026, 10, 29)): Clock {
  let ns = BigInt(startMs) * 1_000_000n;
  return {
    now() {
      ns += 1_000_000n;
      return formatTimestampNs(ns);
    },
  };
}

/** A fresh migrated database and store in a temp dir, removed by `dispose`. */
export interface TempStore {
  readonly dir: string;
  readonly path: string;
  readonly db: LedgerDatabase;
  readonly store: SqliteEventStore;
  reopen(): Promise<TempStore>;
  dispose(): Promise<void>;
}

export async function openTempStore(
  projections: readonly Projection<unknown>[] = [containerProjection],
  dir = mkdtempSync(join(tmpdir(), 'taskledger-store-')),
): Promise<TempStore> {
  const path = join(dir, 'ledger.db');
  const db = await openLedgerDatabase(path);
  const store = createSqliteEventStore(db, { clock: steppingClock(), projections });
  const self: TempStore = {
    dir,
    path,
    db,
    store,
    async reopen() {
      await db.close();
      return openTempStore(projections, dir);
    },
    async dispose() {
      await db.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
  return self;
}
