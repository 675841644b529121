import { once } from 'node:events';
import { existsSync, mkdirSync, rmSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { failedPrecondition, notFound } from '../domain/errors.ts';
import { createSystemClock } from '../platform/system-clock.ts';
import { compactLog, type CompactionResult } from '../store/compact-log.ts';
import { exportLines } from '../store/log-export.ts';
import { importLog, type ImportResult } from '../store/log-import.ts';
import { openLedgerDatabase, type LedgerDatabase } from '../store/open-database.ts';
import {
  diffProjections,
  rebuildProjections,
  type ProjectionDifference,
} from '../store/projection-rebuild.ts';
import { createSqliteEventStore, type SqliteEventStore } from '../store/sqlite-event-store.ts';
import type { ChainBreak } from '../store/verify-chain.ts';
import { verifyLog } from '../store/verify-log.ts';
import { projections } from './daemon.ts';
import { resolveRange } from './event-routes.ts';
import { acquireRootLock } from './root-lock.ts';

/** What `admin verify` found. */
export interface VerifyReport {
  /** Seq of the last event in the log. */
  readonly events: number;
  /** Seq of the last compacted event (absent while the log is whole). */
  readonly compactedThrough?: number;
  /** First break of the hash chain (or a missing head or tail), if any. */
  readonly chain: ChainBreak | undefined;
  /** First projection row that differs from snapshot + replay, if any. */
  readonly projection: ProjectionDifference | undefined;
}

/** What `admin compact` did, with the database file's size around it. */
export interface CompactReport extends CompactionResult {
  /** Bytes of the database (with its WAL) before. */
  readonly bytesBefore: number;
  /** Bytes after compaction and VACUUM. */
  readonly bytesAfter: number;
}

const databasePath = (root: string): string => join(root, 'ledger.db');

async function withOfflineStore<T>(
  root: string,
  work: (db: LedgerDatabase, store: SqliteEventStore) => T | Promise<T>,
  options: { create?: boolean } = {},
): Promise<T> {
  const path = databasePath(root);
  if (options.create) mkdirSync(root, { recursive: true, mode: 0o700 });
  else if (!existsSync(path)) throw notFound(`no taskledger database at ${path}`);
  // Offline means offline: a running daemon holds the root and would race us.
  const lock = acquireRootLock(root, 'admin command');
  try {
    const db = await openLedgerDatabase(path);
    try {
      return await work(
        db,
        createSqliteEventStore(db, { clock: createSystemClock(), projections }),
      );
    } finally {
      await db.close();
    }
  } finally {
    lock.release();
  }
}

/** Replays the log (from the compaction snapshot, if any) into fresh projection tables. */
export function adminRebuild(root: string): Promise<number> {
  return withOfflineStore(root, (db, store) => {
    rebuildProjections(
      db.sqlite,
      projections.map((p) => store.table(p)),
    );
    return store.lastSeq();
  });
}

/** Checks the hash chain and that every projection equals snapshot + replay of the log. */
export function adminVerify(root: string): Promise<VerifyReport> {
  return withOfflineStore(root, (db, store) => {
    const projection = diffProjections(
      db.sqlite,
      projections.map((p) => store.table(p)),
    );
    const compactedThrough = store.compaction()?.seq;
    return {
      events: store.lastSeq(),
      ...(compactedThrough === undefined ? {} : { compactedThrough }),
      chain: verifyLog(db.sqlite),
      projection,
    };
  });
}

/**
 * Writes the log as JSON lines to `out` (see `log-export.ts`): without `since`, from the start or
 * from the compaction snapshot, so that {@link adminImport} can rebuild the same root.
 */
export function adminExport(
  root: string,
  range: { since?: string | undefined; until?: string | undefined },
  out: NodeJS.WritableStream,
): Promise<number> {
  return withOfflineStore(root, async (db, store) => {
    const { afterSeq, untilSeq } = resolveRange(store, range.since ?? null, range.until ?? null);
    const mark = store.compaction();
    if (mark && untilSeq !== undefined && untilSeq <= mark.seq) {
      throw failedPrecondition(
        `events up to seq ${mark.seq} were compacted: nothing is left up to ${range.until}`,
      );
    }
    let lines = 0;
    for (const line of exportLines(db.sqlite, { afterSeq, untilSeq })) {
      lines += 1;
      if (!out.write(`${line}\n`)) await once(out, 'drain');
    }
    return lines;
  });
}

/**
 * Imports an export into `root`, which must hold no events (it is created if missing). All or
 * nothing: on any error the target keeps no event, and a database this call created is removed.
 */
export async function adminImport(
  root: string,
  lines: AsyncIterable<string>,
): Promise<ImportResult> {
  const path = databasePath(root);
  const created = !existsSync(path);
  try {
    return await withOfflineStore(
      root,
      (db, store) => {
        const clock = createSystemClock();
        return importLog({ store, sqlite: db.sqlite, projections, now: () => clock.now() }, lines);
      },
      { create: true },
    );
  } catch (error) {
    if (created) for (const suffix of ['', '-wal', '-shm']) rmSync(path + suffix, { force: true });
    throw error;
  }
}

/** Deletes the events before `beforeSeq` into a snapshot (see `compact-log.ts`), then VACUUMs. */
export function adminCompact(root: string, beforeSeq: number): Promise<CompactReport> {
  const size = (): number =>
    ['', '-wal'].reduce(
      (sum, s) =>
        sum + (existsSync(databasePath(root) + s) ? statSync(databasePath(root) + s).size : 0),
      0,
    );
  const bytesBefore = existsSync(databasePath(root)) ? size() : 0;
  return withOfflineStore(root, (db) => {
    const result = compactLog(db.sqlite, projections, beforeSeq, createSystemClock().now());
    // Deleted rows only free pages for reuse; VACUUM gives the space back to the file system.
    db.sqlite.exec('vacuum');
    db.sqlite.pragma('wal_checkpoint(truncate)');
    return { ...result, bytesBefore, bytesAfter: size() };
  });
}
