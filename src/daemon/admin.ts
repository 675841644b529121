import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { notFound } from '../domain/errors.ts';
import { createSystemClock } from '../platform/system-clock.ts';
import { openLedgerDatabase, type LedgerDatabase } from '../store/open-database.ts';
import {
  diffProjection,
  rebuildProjection,
  type ProjectionDifference,
} from '../store/projection-rebuild.ts';
import { createSqliteEventStore, type SqliteEventStore } from '../store/sqlite-event-store.ts';
import { verifyChain, type ChainBreak } from '../store/verify-chain.ts';
import { projections } from './daemon.ts';
import { acquireRootLock } from './root-lock.ts';

/** What `admin verify` found. */
export interface VerifyReport {
  /** Events in the log. */
  readonly events: number;
  /** First break of the hash chain, if any. */
  readonly chain: ChainBreak | undefined;
  /** First projection row that differs from a replay, if any. */
  readonly projection: ProjectionDifference | undefined;
}

async function withOfflineStore<T>(
  root: string,
  work: (db: LedgerDatabase, store: SqliteEventStore) => T,
): Promise<T> {
  const path = join(root, 'ledger.db');
  if (!existsSync(path)) throw notFound(`no taskledger database at ${path}`);
  // Offline means offline: a running daemon holds the root and would race us.
  const lock = acquireRootLock(root, 'admin command');
  try {
    const db = await openLedgerDatabase(path);
    try {
      return work(db, createSqliteEventStore(db, { clock: createSystemClock(), projections }));
    } finally {
      await db.close();
    }
  } finally {
    lock.release();
  }
}

/** Replays the whole log into fresh projection tables. Returns the number of events replayed. */
export function adminRebuild(root: string): Promise<number> {
  return withOfflineStore(root, (db, store) => {
    for (const p of projections) rebuildProjection(db.sqlite, store.table(p));
    return store.lastSeq();
  });
}

/** Checks the hash chain and that every projection equals a replay of the log. */
export function adminVerify(root: string): Promise<VerifyReport> {
  return withOfflineStore(root, (db, store) => {
    let projection: ProjectionDifference | undefined;
    for (const p of projections) {
      projection ??= diffProjection(db.sqlite, store.table(p));
    }
    return { events: store.lastSeq(), chain: verifyChain(db.sqlite), projection };
  });
}
